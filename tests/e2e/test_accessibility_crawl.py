"""Issue 19: every page state of the portal, the public site and the back office, checked by third-party tools.

One crawl opens every centre URL pattern of the access matrix (tests/test_access_matrix.py, so a new page
cannot be forgotten) as a Responsable, with real objects from the factories; then every data-entry form of
those pages submitted empty; then the public pages (anonymous) and the back-office pages FDA uses (index,
changelist, add and change form of every registered model). Each page is checked by axe-core (WCAG 2.1 A/AA)
and its served HTML by the Nu HTML checker (vnu-jar). A summary per rule lands in
test-artifacts/a11y-crawl.json. Every portal page title names its page: no two URL patterns share one.
"""

import json
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Export
from tests.admin_auth import admin_log_in
from tests.e2e import a11y
from tests.e2e.portal import log_in
from tests.factories import StaffFactory
from tests.test_access_matrix import ROUTES, world  # noqa: F401 (world is the fixture used below)

# Views whose empty submit would act (cancel a session, sign an order, ask for a deactivation, decline):
# their confirmation pages are checked, their forms are not sent.
NOT_SUBMITTED = {
    "sessions:cancel_confirm",
    "sessions:sign_confirm",
    "centres:demande_desactivation_confirm",
    "candidats:pre_inscription_decline",
    "candidats:absence",
}

# Text-like fields a person would type into: an empty submit clears them.
CLEAR_AND_SUBMIT = """(index) => {
  const form = document.querySelectorAll("main form[method=post], main form[method=POST]")[index];
  form.noValidate = true;
  for (const el of form.querySelectorAll("input, textarea")) {
    if (["hidden", "submit", "button", "checkbox", "radio", "file"].includes(el.type)) continue;
    el.value = "";
  }
  const submit = form.querySelector("[type=submit]");
  form.requestSubmit(submit || undefined);
}"""

DATA_FORMS = """() => Array.from(document.querySelectorAll("main form[method=post], main form[method=POST]"))
  .map((f, i) => [i, f.querySelectorAll("input:not([type=hidden]):not([type=submit]), textarea, select").length])
  .filter(([i, n]) => n > 0).map(([i]) => i)"""


class Crawl:
    def __init__(self, out: Path):
        self.out = out
        self.html_dir = out / "a11y-html"
        self.html_dir.mkdir(parents=True, exist_ok=True)
        for old in self.html_dir.glob("*.html"):
            old.unlink()
        self.violations: list[a11y.Violation] = []
        self.pages = 0
        self.titles: dict[str, set[str]] = defaultdict(set)

    def check(self, page, response, label: str, title_key: str | None = None):
        """axe on the page as shown, vnu later on the HTML as served."""
        self.pages += 1
        self.violations.extend(a11y.run_axe(page))
        if response is not None and "text/html" in (response.headers.get("content-type") or ""):
            name = f"{self.pages:03d}-{label}".replace(":", "_").replace("/", "_")
            (self.html_dir / f"{name}.html").write_bytes(response.body())
        if title_key:
            self.titles[page.title()].add(title_key)

    def visit(self, page, url: str, label: str, titled: bool = True) -> bool:
        probe = page.request.get(url)
        if "text/html" not in (probe.headers.get("content-type") or ""):
            return False  # a spreadsheet, a PDF, a ZIP: not a page
        response = page.goto(url)
        self.check(page, response, label, view_name(page) if titled else None)
        return True

    def submit_empty(self, page, url: str, label: str, titled: bool = True):
        page.goto(url)
        for index in page.evaluate(DATA_FORMS):
            page.goto(url)
            with page.expect_navigation() as nav:
                page.evaluate(CLEAR_AND_SUBMIT, index)
            self.check(page, nav.value, f"{label}-vide{index}", view_name(page) if titled else None)

    def summary(self, vnu_errors) -> dict:
        per_rule = Counter()
        elements = Counter()
        for v in self.violations:
            per_rule[v.rule] += 1
            elements[v.rule] += len(v.nodes)
        return {
            "pages": self.pages,
            "axe_pages_with_violations": len({v.url for v in self.violations}),
            "axe_elements_per_rule": dict(elements.most_common()),
            "axe_pages_per_rule": dict(per_rule.most_common()),
            "vnu_errors": len(vnu_errors),
            "vnu_errors_per_message": dict(Counter(m["message"] for m in vnu_errors).most_common()),
        }


def view_name(page) -> str:
    return resolve(urlparse(page.url).path).view_name


def test_every_page_state_passes_axe_and_the_nu_checker(browser, live_server, world, responsable, request):  # noqa: F811
    a11y.current = None  # this test runs axe itself, after each page is fully loaded
    crawl = Crawl(Path(request.config.rootpath) / "test-artifacts")
    centre = world["centre"]
    centre.visibilite = "avec_sessions"
    centre.save()
    # An export is its requester's own: the world's finished export becomes the crawling Responsable's.
    Export.objects.filter(pk=world["export"].pk).update(requested_by=responsable)

    # 1. Every centre URL pattern, as a Responsable; then its forms submitted empty.
    portal = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1366, "height": 900}
    )
    page = portal.new_page()
    log_in(page, responsable.email)
    pages = []
    for name, route in ROUTES.items():
        if route.method != "GET":
            continue
        url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
        if crawl.visit(page, url, name):
            pages.append((name, url))
    for name in ("password_change", "password_change_done"):
        crawl.visit(page, reverse(name), name)
    for name, url in pages + [("password_change", reverse("password_change"))]:
        if name not in NOT_SUBMITTED:
            crawl.submit_empty(page, url, name)
    crawl.visit(page, "/page-qui-n-existe-pas/", "404", titled=False)
    portal.close()

    # 2. The public site and the sign-in pages, anonymous.
    public = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = public.new_page()
    code = {"code": centre.code}
    uid = urlsafe_base64_encode(force_bytes(responsable.pk))
    token = default_token_generator.make_token(responsable)
    anonymous = [
        ("public:centres", reverse("public:centres")),
        ("public:centre", reverse("public:centre", kwargs=code)),
        ("public:pre_inscription", reverse("public:pre_inscription", kwargs=code)),
        ("public:merci", reverse("public:merci", kwargs=code)),
        ("public:contact", reverse("public:contact", kwargs=code)),
        ("public:merci_contact", reverse("public:merci_contact", kwargs=code)),
        ("login", reverse("login")),
        ("password_reset", reverse("password_reset")),
        ("password_reset_done", reverse("password_reset_done")),
        ("password_reset_complete", reverse("password_reset_complete")),
    ]
    for name, url in anonymous:
        crawl.visit(page, url, name)
    for name in ("public:pre_inscription", "public:contact", "login", "password_reset"):
        crawl.submit_empty(page, dict(anonymous)[name], name)
    crawl.visit(
        page, reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}), "reset_confirm"
    )
    crawl.submit_empty(page, page.url, "reset_confirm")
    public.close()

    # 3. The back office FDA uses: its sign-in, index, and every model's changelist, add and change forms.
    StaffFactory(email="charge@fda.test")
    fda = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1366, "height": 900}
    )
    page = fda.new_page()
    crawl.visit(page, "/admin/login/", "admin-login", titled=False)
    admin_log_in(page, "charge@fda.test")
    crawl.visit(page, reverse("admin:index"), "admin-index", titled=False)
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        crawl.visit(page, reverse(f"{info}_changelist"), f"{info}_changelist", titled=False)
        try:
            add = reverse(f"{info}_add")
        except NoReverseMatch:
            add = None
        if add and page.request.get(add).status == 200:
            crawl.visit(page, add, f"{info}_add", titled=False)
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            crawl.visit(page, reverse(f"{info}_change", args=[first.pk]), f"{info}_change", titled=False)
    fda.close()

    vnu_errors = a11y.run_vnu(crawl.html_dir)
    summary = crawl.summary(vnu_errors)
    (crawl.out / "a11y-crawl.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    (crawl.out / "a11y-crawl.txt").write_text(
        "\n".join(str(v) for v in crawl.violations)
        + "\n\nNu:\n"
        + "\n".join(
            f"{m.get('url')}:{m.get('lastLine')}: {m['message']} {m.get('extract', '')!r}" for m in vnu_errors
        )
    )
    print(json.dumps(summary, indent=2, ensure_ascii=False))

    assert crawl.pages > 100, summary
    assert crawl.violations == [], f"{summary}\n" + "\n".join(str(v) for v in crawl.violations[:15])
    vnu_report = "\n".join(
        f"{Path(urlparse(m.get('url', '')).path).name}:{m.get('lastLine')}: {m['message']}"
        for m in vnu_errors[:30]
    )
    assert vnu_errors == [], f"{summary}\n{vnu_report}"
    shared = {title: sorted(names) for title, names in crawl.titles.items() if len(names) > 1}
    assert shared == {}, f"Titres de page partagés par plusieurs pages : {shared}"
