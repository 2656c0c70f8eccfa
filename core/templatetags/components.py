"""The portal's template components, one of each: the status badge, the back link.

    {% load components %}
    {% status_badge session %}                       the status of any object with a `statut`
    {% status_badge d label=d.short_label title="…" %} same colour, another text ("Rep" for a report)
    <span class="badge text-bg-{{ d|status_colour }}">   the colour alone, when the markup is the caller's
    {% back_link "sessions:list" label="Sessions" %}  the "← Sessions" link above a page title

STATUS_COLOURS is the one colour table, keyed by model (`app_label.modelname`) then status value. Colours are
Bootstrap's `text-bg-*` pairs, which set a text colour that meets WCAG AA contrast on each background; the
text always says the status, so colour is never the only signal. tests/test_components.py fails for a
status without a colour."""

from django import template
from django.urls import reverse

register = template.Library()

STATUS_COLOURS: dict[str, dict[str, str]] = {
    "sessions_app.session": {
        "planifiee": "secondary",
        "ouverte": "success",
        "close": "warning",
        "anomalies": "danger",
        "correction": "info",
        "resultats": "primary",
        "cloturee": "dark",
        "annulee": "light",
    },
    "sessions_app.bondecommande": {"non_signe": "warning", "signe": "success"},
    # The guide's code for requests: orange while studied, green validated, red refused.
    "demandes.demande": {"en_cours": "warning", "validee": "success", "refusee": "danger"},
    "demandes.anomalie": {"en_cours": "warning", "traitee": "success"},
    "messagerie.conversation": {"ouverte": "success", "fermee": "secondary"},
    "candidats.inscription": {"inscrit": "success", "reporte": "info", "annule": "secondary"},
    "candidats.preinscription": {"a_traiter": "warning", "transferee": "success", "declinee": "secondary"},
    "candidats.demandecontact": {"a_traiter": "warning", "traitee": "success"},
    "candidats.importjob": {
        "en_attente": "secondary",
        "en_cours": "info",
        "a_confirmer": "primary",
        "erreurs": "danger",
        "termine": "success",
        "echec": "danger",
    },
    "tarifs.produit": {"actif": "success", "inactif": "secondary"},
    "core.export": {"en_attente": "secondary", "en_cours": "info", "pret": "success", "echec": "danger"},
}


def colour_of(obj, status: str | None = None) -> str:
    """The colour of `obj`'s status (or of `status`, a value of that model's statut). A model or a status
    missing from the table raises KeyError: the component test lists every status of every model."""
    model = (
        obj._meta.concrete_model._meta.label_lower
    )  # proxies (Fraude, Report…) share their model's colours
    return STATUS_COLOURS[model][obj.statut if status is None else status]


@register.filter
def status_colour(obj) -> str:
    return colour_of(obj)


@register.inclusion_tag("includes/status_badge.html")
def status_badge(obj, label=None, title="", testid="", large=False):
    return {
        "colour": colour_of(obj),
        "label": obj.get_statut_display() if label is None else label,
        "title": title,
        "testid": testid,
        "large": large,
    }


@register.inclusion_tag("includes/back_link.html")
def back_link(url_name, *args, label):
    """`{% back_link "sessions:detail" session.numero label="Session "|add:session.label %}`"""
    return {"url": reverse(url_name, args=args), "label": label}
