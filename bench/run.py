"""`make bench` (python -m bench): build the national dataset if needed, then measure and print.

Safety: it only runs on PostgreSQL, on a database whose name contains "bench" (created when
missing) or on an empty one; --rebuild drops and recreates only a database named for the bench."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import threading
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PAGE_RUNS = 40
# Empty but never the bench's: the server's own maintenance databases.
SYSTEM_DATABASES = {"postgres", "template0", "template1"}


def _database_settings() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def _admin_connect(db: dict, dbname: str):
    import psycopg

    return psycopg.connect(
        dbname=dbname,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    )


def guard(rebuild: bool) -> None:
    """Refuse any database but the bench's own (or an empty one); create or recreate it if asked."""
    db = _database_settings()
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("make bench : PostgreSQL est nécessaire (DATABASE_URL=postgres://…/portail_bench).")
    name = db["NAME"]
    if name in SYSTEM_DATABASES:
        sys.exit(f"make bench : refus, {name} est une base système de PostgreSQL.")
    named_for_bench = "bench" in name.lower()
    with _admin_connect(db, "postgres") as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if rebuild and exists and named_for_bench:
            print(f"Suppression de la base {name}…")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            if not named_for_bench:
                sys.exit(f"make bench : la base {name} n'existe pas et son nom ne contient pas « bench ».")
            conn.execute(f'CREATE DATABASE "{name}"')
            return
    if named_for_bench:
        return
    with _admin_connect(db, name) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    if tables:
        sys.exit(
            f"make bench : refus, la base {name} contient déjà {tables} tables et son nom ne contient pas "
            "« bench ». Le banc ne travaille que sur sa propre base (BENCH_DATABASE_URL)."
        )


def login_cookie(email: str, *, admin: bool = False) -> dict[str, str]:
    """A real session (django.contrib.sessions in the database) for the user, as its cookie."""
    from django.conf import settings
    from django.test import Client

    from centres.models import User

    user = User.objects.get(email=email)
    client = Client()
    if admin:
        from tests.admin_auth import admin_force_login

        admin_force_login(client, user)
    else:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def pages(big_session: int, small_session: int, search: str) -> list[tuple[str, str, str, bool]]:
    """(label, path at scale, path at 10 rows, admin?) of each page measured; pages other helpers are
    still adding are measured once their URL exists."""
    from django.urls import NoReverseMatch, reverse

    rows = [
        ("Tableau de bord", "/", "/", False),
        ("Sessions", reverse("sessions:list"), reverse("sessions:list"), False),
        (
            "Candidats d'une session (300)",
            reverse("candidats:session_candidats", args=[big_session]),
            reverse("candidats:session_candidats", args=[small_session]),
            False,
        ),
        (
            "Toutes les inscriptions (recherche)",
            f"{reverse('candidats:inscriptions')}?q={search}",
            f"{reverse('candidats:inscriptions')}?q={search}",
            False,
        ),
        ("Messagerie", reverse("messagerie:list"), reverse("messagerie:list"), False),
        ("Tarifs", reverse("tarifs:produits"), reverse("tarifs:produits"), False),
        (
            "Admin : demandes",
            "/admin/demandes/demande/",
            "/admin/demandes/demande/?centre__id__exact=2",
            True,
        ),
        (
            "Admin : conversations",
            "/admin/messagerie/conversation/",
            "/admin/messagerie/conversation/?q=BENCH-0002",
            True,
        ),
        # The network's statistics (summary table StatistiqueMensuelle, refreshed before the pages are
        # measured): every centre and month at scale, a 10-month period without data for "10 rows".
        (
            "Admin : statistiques du réseau",
            "/admin/portail/statistiquemensuelle/",
            "/admin/portail/statistiquemensuelle/?debut=2001-01&fin=2001-10",
            True,
        ),
    ]
    optional = [
        ("Admin : demandes de report", "admin:demandes_report_changelist", False),
        ("Demandes", "demandes:list", False),
        ("Page d'une session (300)", "sessions:detail", True),
        ("Résultats d'une session (300)", "sessions:resultats", True),
        ("Absents d'une session (300)", "candidats:absents", True),
        ("Pré-inscriptions", "candidats:pre_inscriptions", False),
        ("Statistiques du centre", "statistiques", False),
        ("Calendrier des sessions", "sessions:calendrier", False),
    ]
    for label, name, of_session in optional:
        try:
            big, small = (
                (reverse(name, args=[big_session]), reverse(name, args=[small_session]))
                if of_session
                else (reverse(name), reverse(name))
            )
        except NoReverseMatch:
            continue
        admin = name.startswith("admin:")
        rows.append((label, big, f"{small}?q=BENCH-0002" if admin else small, admin))
    return rows


def measure_pages(port: int, runs: int) -> list[dict]:
    from candidats.models import Candidat

    from . import dataset
    from .http import Client, measure_pages

    big = dataset.big_session().numero
    small = 7000001
    search = (
        Candidat.objects.filter(centre_id=dataset.SMALL).order_by("pk").values_list("nom", flat=True).first()
    )
    clients = {
        ("centre", "big"): Client(port, login_cookie(dataset.RESPONSABLE_BIG)),
        ("centre", "small"): Client(port, login_cookie(dataset.RESPONSABLE_SMALL)),
        ("admin", None): Client(port, login_cookie(dataset.STAFF, admin=True)),
    }
    rows = pages(big, small, search.lower())
    at_scale = measure_pages(
        [(clients[("admin", None) if admin else ("centre", "big")], path) for _, path, _, admin in rows],
        runs=runs,
    )
    at_ten = measure_pages(
        [(clients[("admin", None) if admin else ("centre", "small")], path) for _, _, path, admin in rows],
        runs=5,
    )
    results = []
    for (label, _, small_path, _), big_row, small_row in zip(rows, at_scale, at_ten, strict=True):
        row = {
            "page": label,
            **big_row,
            "queries_10_rows": small_row["queries"],
            "path_10_rows": small_path,
            "status_10_rows": small_row["status"],
        }
        print(
            f"  {label:<38} médiane {row['server_median_ms']:7.1f} ms  p95 {row['server_p95_ms']:7.1f} ms  "
            f"requêtes {row['queries']:3d} (10 lignes : {row['queries_10_rows']}) {row['status']}"
        )
        results.append(row)
    for client in clients.values():
        client.close()
    return results


def concurrency(port: int, attempts: int = 50, places: int = 20) -> dict:
    """`attempts` simultaneous enrolment POSTs into a `places`-place session over HTTP."""
    from django.urls import reverse

    from candidats.models import Inscription
    from centres.models import Centre
    from tarifs.models import Produit

    from . import dataset, measures
    from .http import Client

    produit = Produit.objects.filter(modulaire=False, statut="actif").order_by("pk").first()
    since = measures._last_candidat()
    session = measures._import_session(Centre.objects.get(pk=dataset.BIG), produit, places)
    path = reverse("candidats:inscrire", args=[session.numero])
    cookie = login_cookie(dataset.RESPONSABLE_BIG)
    first = Client(port, cookie)
    first.get(path)  # sets the CSRF cookie every request then sends
    cookies = dict(first.cookies)
    first.close()
    barrier = threading.Barrier(attempts)
    outcomes: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        client = Client(port, cookies)
        fields = [
            ("nom", f"Concurrent{i:02d}"),
            ("prenom", "Candidat"),
            ("date_naissance", f"1990-01-{1 + i % 28:02d}"),
            ("genre", "F"),
            ("langue_maternelle", "ara"),
            ("email", f"concurrent{i}@exemple.test"),
            ("nationalite", "DZ"),
            ("motivation", "C"),
            ("numero_piece_identite", f"C{i}"),
        ]
        barrier.wait()
        try:
            response = client.post_form(path, fields)
            status, full = response.status, "La session est complète" in response.body.decode()
        except OSError:
            status, full = 599, False
        with lock:
            outcomes.append((status, full))
        client.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(attempts)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    enrolled = Inscription.objects.filter(session=session, statut="inscrit").count()
    result = {
        "attempts": attempts,
        "places": places,
        "enrolled": enrolled,
        "redirects_302": sum(1 for s, _ in outcomes if s == 302),
        "refused_full": sum(1 for _, full in outcomes if full),
        "server_errors": sum(1 for s, _ in outcomes if s >= 500),
        "other_statuses": sorted({s for s, _ in outcomes if s not in (200, 302)}),
        "seconds": round(elapsed, 2),
        "ok": enrolled == places and not any(s >= 500 for s, _ in outcomes),
    }
    measures._drop_session(session, since)
    return result


def print_load(result: dict) -> None:
    for name, kind in sorted(result["mix"]["kinds"].items()):
        print(
            f"  {name:<30} {kind['requests']:6d} requêtes  échecs {kind['failures']:3d}  "
            f"médiane {kind['p50_ms']:6.0f} ms  p95 {kind['p95_ms']:6.0f} ms  (serveur {kind['server_p95_ms']:6.0f} ms)"
        )
    closure, e = result["closure_during_load"], result["enrolments"]
    print(
        f"  débit {result['mix']['rps']} req/s (page de connexion : {result['login_page']['rps']} req/s, "
        f"rapport {result['throughput_ratio']}) ; clôture pendant la charge : {closure.get('closed')} / "
        f"{closure['due']} sessions en {closure.get('seconds')} s ; inscriptions acceptées {e['accepted']}, enregistrées "
        f"{e['stored']}, perdues {len(e['lost'])}, en double {e['twice']} ; "
        f"{'OK' if result['ok'] else 'CIBLE MANQUÉE'}"
    )


def print_exports(result: dict) -> None:
    e, c = result["list_50000"], result["country"]
    print(
        f"Export de {e['rows']} inscriptions (worker)  {e['export_s']:7.2f} s  openpyxl write-only "
        f"{e['openpyxl_write_only_s']:7.2f} s  ratio {e['ratio']:5.2f} (≤ {e['target']})  mémoire max "
        f"{e['peak_mb']} Mo  fichier {e['file_mb']} Mo"
    )
    print(
        f"Export du pays, {c['rows']} inscriptions   {c['export_s']:7.1f} s  ({c['rows_per_s']} lignes/s)  "
        f"mémoire max {c['peak_mb']} Mo  fichier {c['file_mb']} Mo"
    )


def print_attestations(a: dict) -> None:
    if "absent" in a:
        print(f"Attestations à la publication            non mesuré : {a['absent']}")
        return
    print(
        f"{a['attestations']} attestations, {a['workers']} workers      {a['service_s']:7.2f} s  "
        f"{a['expected']} × WeasyPrint statique {a['weasyprint_floor_s']:7.2f} s  ratio {a['ratio']:6.2f} "
        f"(≤ {a['target']}) ; requête de publication {a['publish_request_s']:.3f} s"
    )


def print_table(report: dict) -> None:
    print(
        "\n=== Pages (serveur, via gunicorn sur 127.0.0.1) — objectif p95 < 150 ms, même nombre de requêtes ==="
    )
    print(f"{'page':<38} {'médiane':>9} {'p95':>9} {'requêtes':>9} {'à 10 lignes':>12}  objectif")
    for row in report["pages"]:
        ok = (
            row["server_p95_ms"] < 150 and row["queries"] == row["queries_10_rows"] and row["status"] == [200]
        )
        print(
            f"{row['page']:<38} {row['server_median_ms']:7.1f}ms {row['server_p95_ms']:7.1f}ms "
            f"{row['queries']:9d} {row['queries_10_rows']:12d}  {'oui' if ok else 'NON'}"
        )
    print("\n=== Opérations, à côté de leur plancher ===")
    c = report["closure"]
    print(
        f"Clôture J-2 de {c['sessions']} sessions   {c['service_s']:7.3f} s  UPDATE brut {c['raw_update_s']:7.3f} s"
        f"  ratio {c['ratio']:6.2f} (≤ {c['target']})"
    )
    i = report["import"]
    print(
        f"Import de {i['rows']} lignes (xlsx)      {i['service_s']:7.3f} s  lecture openpyxl {i['openpyxl_parse_s']:7.3f} s"
        f"  ratio {i['ratio']:6.2f} (≤ {i['target']})"
    )
    for name, p in report["pdfs"].items():
        if "ratio" in p:
            print(
                f"PDF {name:<32} {p['service_s']:7.3f} s  WeasyPrint statique {p['weasyprint_static_s']:7.3f} s"
                f"  ratio {p['ratio']:6.2f} (≤ {p['target']})"
            )
        else:
            print(f"PDF {name:<32} non mesuré : {p['absent']}")
    if "exports" in report:
        print_exports(report["exports"])
    if "attestations" in report:
        print_attestations(report["attestations"])
    k = report["concurrency"]
    print(
        f"{k['attempts']} inscriptions simultanées, {k['places']} places : {k['enrolled']} inscrits, "
        f"{k['server_errors']} erreurs serveur, {k['refused_full']} refus « complète » ({k['seconds']} s)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="recréer la base du banc et le jeu de données")
    parser.add_argument("--runs", type=int, default=PAGE_RUNS, help="requêtes mesurées par page")
    parser.add_argument(
        "--only",
        type=lambda value: set(value.split(",")),
        help="ne mesurer que ces parties (virgules) : pages, operations, load, exports",
    )
    parser.add_argument(
        "--load-pause", default="5,15", help="pause d'un utilisateur entre deux clics, en secondes (min,max)"
    )
    parser.add_argument(
        "--load-seconds", type=int, default=60, help="durée de chaque passage du test de charge"
    )
    parser.add_argument("--label", default="", help="étiquette du résultat (avant, après…)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portail.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # A serving process (gunicorn) needs a key; one per bench run, shared with the server it starts.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    guard(args.rebuild)

    from django.core.management import call_command

    from . import dataset, measures
    from .http import gunicorn

    call_command("migrate", verbosity=0, interactive=False)
    report: dict = {"label": args.label, "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    if not dataset.is_built():
        print("Construction du jeu de données (PostgreSQL, INSERT … SELECT generate_series)…")
        start = time.perf_counter()
        report["build_steps_s"] = {k: round(v, 1) for k, v in dataset.build(log=print).items()}
        report["build_s"] = round(time.perf_counter() - start, 1)
        print(f"Jeu de données construit en {report['build_s']} s.")
    report["dataset"] = dataset.counts()
    # The back office's statistics read a summary table: rebuilt here (as the hourly task does), timed.
    from portail.statistics import refresh_network_statistics

    rows, seconds = refresh_network_statistics()
    report["statistics_refresh"] = {"rows": rows, "seconds": round(seconds, 1)}
    print(f"Statistiques du réseau recalculées : {rows} lignes en {seconds:.1f} s.")
    print(
        "Jeu de données : " + ", ".join(f"{v:,} {k}".replace(",", " ") for k, v in report["dataset"].items())
    )

    if args.only is None or "pages" in args.only:
        with gunicorn() as port:
            print("Pages :")
            report["pages"] = measure_pages(port, args.runs)
            print("Inscriptions simultanées…")
            report["concurrency"] = concurrency(port)
    if args.only is None or "load" in args.only:
        from . import load

        # One thread per gunicorn worker: with 2 workers × 4 threads, requests queued behind the GIL (p95 of 0.7 to
        # 1.8 s at medians of 30-90 ms); 4 workers × 1 thread on the same 2 cores: p95 of 75 to 160 ms.
        with gunicorn(workers=4, threads=1) as port:
            print(
                f"Charge : {load.USERS} utilisateurs Locust, {args.load_seconds} s, clôture J-2 pendant la charge…"
            )
            report["load"] = load.run(port, login_cookie, duration=args.load_seconds, pause=args.load_pause)
            print_load(report["load"])
    if args.only is None or "operations" in args.only:
        print("Clôture J-2…")
        report["closure"] = measures.closure()
        print("Import…")
        report["import"] = measures.import_file()
        print("PDF…")
        report["pdfs"] = measures.pdfs()
        print(f"Attestations à la publication ({measures.PUBLICATION_WORKERS} workers Celery)…")
        report["attestations"] = measures.attestations_publication()
        print_attestations(report["attestations"])
    if args.only is None or "exports" in args.only:
        from . import exports

        print(f"Exports ({exports.LIST_ROWS} inscriptions contre openpyxl, puis le pays entier)…")
        report["exports"] = exports.measure()
        print_exports(report["exports"])
    if args.only is None:
        print_table(report)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-results-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nRésultats : {out.relative_to(RESULTS.parent.parent)}")
