"""Issue 19: every screen (320 px, 768 px, 1366 px), the keyboard (skip link, focus) and forms with errors.

At 320 px the page never scrolls sideways (wide tables scroll in their own box) and the menu is folded behind
« Menu »; the skip link is the first tab stop; a form sent with errors gets « Erreur : » in its title, and
the error summary at the top takes the focus and links to each field. Screenshots of the three main screens
at the three widths land in test-artifacts/screens/ (looked at by a person, issue 19).
"""

from pathlib import Path

import pytest

from centres.roles import Role
from tests.e2e.portal import log_in
from tests.factories import (
    CandidatFactory,
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    add_session_tarifs,
)

WIDTHS = (320, 768, 1366)
# The outermost elements that reach past the right edge (what makes the page scroll sideways).
WIDER = """(width) => Array.from(document.querySelectorAll("body *"))
  .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest(".table-responsive, .visually-hidden"))
  .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def session_with_candidates():
    centre = CentreFactory(nom="Alliance Française de Montréal-Est", code="AFM01")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@afm.test")
    session = SessionFactory(centre=centre, lieu="Grande salle du premier étage, bâtiment B")
    add_session_tarifs(session)
    for nom in ("Nguyen-Fontaine-Delacroix", "Martin", "Benali"):
        InscriptionFactory(session=session, candidat=CandidatFactory(centre=centre, nom=nom))
    return session


def screens(session):
    return {
        "tableau-de-bord": "/",
        "candidats-de-la-session": f"/candidats/session/{session.numero}/",
        "inscription": f"/candidats/session/{session.numero}/inscrire/",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_screens_fit_the_width_and_the_menu_folds_below_the_large_breakpoint(
    browser, live_server, session_with_candidates, request, width
):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    log_in(page, "resp@afm.test")
    out = Path(request.config.rootpath) / "test-artifacts" / "screens"
    out.mkdir(parents=True, exist_ok=True)
    for name, url in screens(session_with_candidates).items():
        page.goto(url)
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width, (
            f"{url} à {width} px : la page défile sur le côté ({scroll_width} px) : {page.evaluate(WIDER, width)}"
        )

    menu = page.locator("#sidebar")
    if width < 992:
        assert not menu.get_by_role("link", name="Sessions").is_visible()
        page.get_by_role("button", name="Menu").click()
        menu.get_by_role("link", name="Sessions").click()
        page.get_by_role("heading", name="Sessions", exact=True).wait_for()
    else:
        assert menu.get_by_role("link", name="Sessions").is_visible()
    context.close()


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_the_content(page, session_with_candidates):
    log_in(page, "resp@afm.test")
    page.goto(f"/candidats/session/{session_with_candidates.numero}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # shown once focused
    outline = skip.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).borderTopWidth"
    )
    assert outline != "none 0px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_a_form_sent_with_errors_says_so_in_the_title_and_the_summary_takes_the_focus(
    page, session_with_candidates
):
    log_in(page, "resp@afm.test")
    page.goto(f"/candidats/session/{session_with_candidates.numero}/inscrire/")
    page.get_by_text("Les champs marqués d'un astérisque (*) sont obligatoires.").wait_for()
    title = page.title()
    page.get_by_role("button", name="Inscrire", exact=True).click()
    page.get_by_role("heading", name="Le formulaire contient").wait_for()
    assert page.title() == f"Erreur : {title}"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary")
    summary.get_by_role("link", name="Nom : Ce champ est obligatoire.", exact=True).click()
    assert page.evaluate("document.activeElement.name") == "nom"
