"""The layers of the code, as a contract checked on every run (README, « Organisation du code »).

From the top: the web layer `portail` (settings, urls, dashboard, search, audit, demo data), the API, requests
(`demandes`), messages, candidates, sessions, tarifs, centres, and the kernel `core`. A domain module (models,
services, selectors, tasks, documents…) imports only its own app and the layers below it — never one above,
not even inside a function. Pages and the back office (views, urls, admin, template tags, management commands)
are the web side of each app: they may compose the apps whose data they show (a session's page lists its
candidates), but nothing imports them back. The import graph is read by grimp (the engine of import-linter),
function-level imports included."""

import re

import grimp

LAYERS = [
    "portail",
    "api",
    "demandes",
    "messagerie",
    "candidats",
    "sessions_app",
    "tarifs",
    "centres",
    "core",
]
WEB_SIDE = re.compile(
    r"\.(views|urls|admin)$|\.\w+_(views|urls)$|\.admin_\w+$|\.templatetags\.|\.management\."
)


def _rank(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def upward_imports() -> list[str]:
    graph = grimp.build_graph(*LAYERS)
    found = []
    for importer in sorted(graph.modules):
        if WEB_SIDE.search(importer):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if _rank(imported) < _rank(importer):
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    found.append(f"{importer}:{detail['line_number']} imports {imported} (a layer above)")
    return found


def web_side_imported_by_domain() -> list[str]:
    graph = grimp.build_graph(*LAYERS)
    return sorted(
        f"{importer} imports {imported}"
        for imported in graph.modules
        if WEB_SIDE.search(imported)
        for importer in graph.find_modules_that_directly_import(imported)
        if not WEB_SIDE.search(importer) and importer.split(".")[0] != "portail"
    )


def test_no_domain_module_imports_a_layer_above():
    assert upward_imports() == []


def test_no_domain_module_imports_a_page_or_the_back_office():
    assert web_side_imported_by_domain() == []


def test_the_contract_sees_an_upward_import(tmp_path, monkeypatch):
    """The check itself can fail: a kernel module importing an app is reported."""
    for name in LAYERS:
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
    (tmp_path / "core" / "bad.py").write_text("def f():\n    from candidats import services\n")
    (tmp_path / "candidats" / "services.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in LAYERS:
        monkeypatch.delitem(__import__("sys").modules, name, raising=False)
    assert upward_imports() == ["core.bad:2 imports candidats.services (a layer above)"]
