"""The template components (core/templatetags/components.py): one status badge and one colour table for every
status, one back link, one confirmation page layout, plurals through Django."""

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse

from core.templatetags.components import STATUS_COLOURS
from sessions_app.models import SessionStatus
from tests.factories import InscriptionFactory, SessionFactory

# Bootstrap 5.3's text-bg-* pairs: each sets the text colour that meets WCAG AA on its background.
TEXT_BG = {"primary", "secondary", "success", "danger", "warning", "info", "light", "dark"}


def models_with_a_status():
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "statut"), None)
        if field is not None and field.choices and not model._meta.proxy:
            yield model._meta.label_lower, {value for value, _ in field.choices}


def test_every_status_of_every_model_has_one_colour():
    statuses = dict(models_with_a_status())
    assert {"sessions_app.session", "demandes.demande", "messagerie.conversation"} <= set(statuses)
    assert {model: set(colours) for model, colours in STATUS_COLOURS.items()} == statuses
    assert {c for colours in STATUS_COLOURS.values() for c in colours.values()} <= TEXT_BG


def render(source, **context):
    return Template("{% load components %}" + source).render(Context(context))


@pytest.mark.django_db
def test_the_badge_says_the_status_in_the_colour_of_the_table():
    session = SessionFactory(statut=SessionStatus.OUVERTE)
    html = render("{% status_badge s testid='statut' %}", s=session)
    assert html == '<span class="badge text-bg-success" data-testid="statut">Inscriptions ouvertes</span>\n'
    # A light badge gets a border (white on white otherwise); large badges for a page's own status.
    session.statut = SessionStatus.ANNULEE
    assert 'class="badge text-bg-light border fs-6"' in render("{% status_badge s large=True %}", s=session)


@pytest.mark.django_db
def test_a_proxy_model_and_another_label_share_the_colour():
    from demandes.models import Demande, Report

    inscription = InscriptionFactory()
    demande = Demande.objects.create(
        numero=1, kind="report", centre=inscription.session.centre, inscription=inscription, description="x"
    )
    report = Report.objects.get(pk=demande.pk)
    html = render("{% status_badge d label=d.short_label title=d.status_text %}", d=report)
    assert html.startswith('<span class="badge text-bg-warning" title="En cours de traitement">Rep</span>')
    assert render("{{ d|status_colour }}", d=demande) == "warning"


def test_the_back_link():
    html = render("{% back_link 'sessions:list' label='Sessions' %}")
    assert f'href="{reverse("sessions:list")}"' in html and "bi-arrow-left" in html and "Sessions</a>" in html


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1 candidat est inscrit à cette session"), (2, "2 candidats sont inscrits à cette session")],
)
def test_the_cancel_confirmation_page_speaks_french_plurals(client, responsable, centre_a, n, text):
    session = SessionFactory(centre=centre_a, statut=SessionStatus.OUVERTE)
    for _ in range(n):
        InscriptionFactory(session=session)
    client.force_login(responsable)
    page = client.get(reverse("sessions:cancel_confirm", args=[session.numero])).content.decode()
    assert text in page
    assert "(s)" not in page
    # The one confirmation layout: the form posts to the action, the other button leads back.
    assert f'action="{reverse("sessions:cancel", args=[session.numero])}"' in page
    assert "Confirmer l&#x27;annulation" in page or "Confirmer l'annulation" in page
