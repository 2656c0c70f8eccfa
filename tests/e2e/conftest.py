"""Browser tests: Playwright driving Debian's Chromium against pytest-django's `live_server`.

Playwright cannot download its own browsers here, so pytest-playwright is not used: these fixtures
launch `/usr/bin/chromium` (Debian package `chromium`) themselves.

Every test under tests/e2e/ is marked `e2e` and runs with `live_server` + `transactional_db`
(the server thread must see the test's data, so no wrapping transaction).
Fixtures: `browser` (session), `page` (a fresh context per test: fr-FR, 1366x900,
base_url = live_server.url, so `page.goto("/connexion/")` works). On failure a screenshot lands in
test-artifacts/.

Every browser context (the `context` fixture's and those a test opens with `browser.new_context`) carries
axe-core: each page loaded is checked against WCAG 2.1 AA, and a test that loaded a page with a violation
fails (tests/e2e/a11y.py).
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e import a11y

# Playwright's sync API runs an event loop in the test thread; Django's ORM would then refuse to run
# there. Harmless in tests, needed for live_server + ORM calls in the test body.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"CI=true: {reason} (les tests navigateur ne sont jamais ignorés en CI)", pytrace=False)
    pytest.skip(f"{reason}: tests navigateur ignorés (apt-get install chromium)")


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: mark only those under tests/e2e/.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _e2e_server(live_server, transactional_db):
    """Every browser test runs against the live server with a truly committed database. The previous
    browser test's flush emptied every table: the reference data the migrations ship (the catalogue, its
    rules, the published scales and level tables) are put back first, as on every install."""
    import importlib

    from django.apps import apps

    importlib.import_module("tarifs.migrations.0003_reference_data").forwards(apps, None)
    return live_server


@pytest.fixture(autouse=True)
def _axe_on_every_page():
    """Fails the test when a page it loaded has an axe-core violation (WCAG 2.1 A/AA)."""
    if (reason := a11y.missing_tools()) is not None:
        _unavailable(reason)
    watch = a11y.current = a11y.Watch()
    yield watch
    a11y.current = None
    if watch.violations:
        pytest.fail("Violations axe-core (WCAG 2.1 AA) :\n" + watch.report(), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        _unavailable("Chromium introuvable (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("le paquet Python playwright n'est pas installé")

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    new_context = browser.new_context

    def new_checked_context(*args, **kwargs):
        return a11y.instrument(new_context(*args, **kwargs))

    browser.new_context = new_checked_context
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context, request):
    page = context.new_page()
    try:
        yield page
    finally:
        failed = any(
            getattr(request.node, f"_report_{when}", None) is not None
            and getattr(request.node, f"_report_{when}").failed
            for when in ("setup", "call")
        )
        if failed and not page.is_closed():
            out = Path(request.config.rootpath) / "test-artifacts"
            out.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-180:]
            try:
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            except Exception as exc:  # a screenshot must never hide the real failure
                print(f"screenshot failed: {exc}")
        page.close()
