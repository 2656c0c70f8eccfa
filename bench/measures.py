"""In-process measurements of `make bench`, each beside the floor it cannot beat:
the D-2 closure vs one raw UPDATE, the import service vs openpyxl's parse of the same file, the
session PDFs vs WeasyPrint on the same HTML already rendered."""

from __future__ import annotations

import datetime as dt
import gc
import io
import statistics
import time

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from centres.models import Centre, User
from sessions_app.models import Session, SessionStatus, SessionStatusChange
from tarifs.models import Produit

from . import dataset


def _timed(fn):
    # From a collected heap: a full garbage collection that an earlier step left due (the import
    # pauses the collector while it runs) is not charged to whatever is timed next.
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _purge_queue() -> None:
    """Tasks queued by the measured services (documents to render) are dropped: the bench measures
    the web and service side, not the worker. The broker is the bench's own Redis database."""
    from portail.celery import app

    app.control.purge()


# --- D-2 closure ------------------------------------------------------------------------------------


def _vacuum(*tables: str) -> None:
    """Each round starts from clean tables: the previous round's restore left dead rows behind."""
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def closure(rounds: int = 7) -> dict:
    from candidats.documents import close_due_sessions

    now = timezone.now()
    due = list(Session.objects.due_for_closure(now).values_list("pk", flat=True))
    raw_times, service_times = [], []
    for _ in range(rounds):
        _vacuum("sessions_app_session", "sessions_app_sessionstatuschange")
        # The floor: the same status change as one UPDATE, rolled back.
        with transaction.atomic():
            with connection.cursor() as cur:
                gc.collect()
                start = time.perf_counter()
                cur.execute(
                    "UPDATE sessions_app_session SET statut = %s WHERE statut IN (%s, %s) AND closes_at <= %s",
                    [SessionStatus.CLOSE, SessionStatus.PLANIFIEE, SessionStatus.OUVERTE, now],
                )
                raw_times.append(time.perf_counter() - start)
                assert cur.rowcount == len(due)
            transaction.set_rollback(True)
        _vacuum("sessions_app_session", "sessions_app_sessionstatuschange")
        last_history = SessionStatusChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        seconds, closed = _timed(lambda: close_due_sessions(now))
        service_times.append(seconds)
        assert len(closed) == len(due), (len(closed), len(due))
        # Back to the dataset's state for the next round (and the next run).
        Session.objects.filter(pk__in=due).update(statut=SessionStatus.OUVERTE)
        SessionStatusChange.objects.filter(pk__gt=last_history).delete()
        _purge_queue()
    # The next run's pages read these tables: leave them without the rounds' dead rows.
    _vacuum("sessions_app_session", "sessions_app_sessionstatuschange")
    raw, service = statistics.median(raw_times), statistics.median(service_times)
    return {
        "sessions": len(due),
        "service_s": round(service, 3),
        "raw_update_s": round(raw, 3),
        "ratio": round(service / raw, 2),
        "target": 2.0,
    }


# --- Import -----------------------------------------------------------------------------------------

IMPORT_ROWS = 5000


def _import_file(session: Session, rows: int) -> bytes:
    from openpyxl import load_workbook

    from candidats.excel_template import FIRST_ROW, build_template, template_epreuves

    _, _, content = build_template(session)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Candidats"]
    flags = ["O"] * len(template_epreuves(session))
    for i in range(rows):
        values = [
            f"Importnom{i:05d}",
            "Prénom",
            f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1970 + i % 30}",
            "FH"[i % 2],
            "ARA_arabe",
            f"import{i}@exemple.test",
            "DZ_Algérie",
            "I_Immigration Canada",
            f"ID{i}",
            *flags,
        ]
        for col, value in enumerate(values, start=1):
            ws.cell(row=FIRST_ROW + i, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _parse_floor(content: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    n = sum(1 for _ in wb["Candidats"].iter_rows(values_only=True))
    wb.close()
    return n


def _import_session(centre: Centre, produit: Produit, places: int) -> Session:
    from sessions_app import services

    tarifs = {ep.pk: 40 for ep in produit.epreuves.all()} if produit.modulaire else {None: 150}
    return services.create_session(
        centre=centre,
        produit=produit,
        date=timezone.localdate() + dt.timedelta(days=30),
        heure=dt.time(9, 0),
        lieu="Salle du bench",
        nb_places=places,
        afficher_en_ligne=False,
        tarifs=tarifs,
    )


def _drop_session(session: Session, since_candidat: int | None) -> None:
    """Remove what a measurement created (its session, enrolments, import jobs, and the candidates created
    after `since_candidat`: None when other sessions still to drop hold some of them)."""
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM candidats_inscriptionepreuve WHERE inscription_id IN "
            "(SELECT id FROM candidats_inscription WHERE session_id = %s)",
            [session.pk],
        )
        cur.execute("DELETE FROM candidats_inscription WHERE session_id = %s", [session.pk])
        cur.execute(
            "DELETE FROM candidats_importjobstatuschange WHERE job_id IN "
            "(SELECT id FROM candidats_importjob WHERE session_id = %s)",
            [session.pk],
        )
        cur.execute("DELETE FROM candidats_importjob WHERE session_id = %s", [session.pk])
        cur.execute("DELETE FROM sessions_app_sessionstatuschange WHERE session_id = %s", [session.pk])
        cur.execute("DELETE FROM sessions_app_sessiontarif WHERE session_id = %s", [session.pk])
        cur.execute("DELETE FROM sessions_app_session WHERE id = %s", [session.pk])
        if since_candidat is not None:
            cur.execute("DELETE FROM candidats_candidat WHERE id > %s", [since_candidat])


def _last_candidat() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM candidats_candidat")
        return cur.fetchone()[0]


def import_file(rounds: int = 5) -> dict:
    from candidats import imports
    from candidats.models import ImportJob

    centre = Centre.objects.get(pk=dataset.BIG)
    by = User.objects.get(email=dataset.RESPONSABLE_BIG)
    produit = Produit.objects.get(code="TEFCAN")
    parse_times, service_times, phase_times = [], [], []
    content = None
    for _ in range(rounds):
        # The previous round's candidates and enrolments were deleted: their dead index entries would
        # otherwise slow down this round's duplicate lookups (the centre's candidates read 2 to 3× slower).
        _vacuum("candidats_candidat", "candidats_inscription", "candidats_inscriptionepreuve")
        since = _last_candidat()
        session = _import_session(centre, produit, IMPORT_ROWS)
        content = content or _import_file(session, IMPORT_ROWS)
        seconds, _ = _timed(lambda: _parse_floor(content))  # noqa: B023
        parse_times.append(seconds)

        phases = {}

        def run(session=session, content=content, phases=phases):
            start = time.perf_counter()
            job = imports.start_import(
                session=session, upload=SimpleUploadedFile("candidats.xlsx", content), by=by
            )
            job = imports.validate_job(job.pk)
            if job.statut != ImportJob.Statut.A_CONFIRMER:
                raise RuntimeError(f"import refusé : {job.rapport}")
            phases["validation_s"] = time.perf_counter() - start
            imports.claim_for_import(job)
            job = imports.confirm_job(job.pk, by_id=by.pk, confirm_warnings=True)
            phases["confirmation_s"] = time.perf_counter() - start - phases["validation_s"]
            return job

        seconds, job = _timed(run)
        service_times.append(seconds)
        phase_times.append(phases)
        enrolled = job.rapport.get("inscrits")
        _drop_session(session, since)
        _purge_queue()
        if enrolled != IMPORT_ROWS:
            raise RuntimeError(f"import : {enrolled} inscrits au lieu de {IMPORT_ROWS} ({job.statut})")
    _vacuum("candidats_candidat", "candidats_inscription", "candidats_inscriptionepreuve")
    parse, service = statistics.median(parse_times), statistics.median(service_times)
    middle = sorted(phase_times, key=lambda p: p["validation_s"] + p["confirmation_s"])[len(phase_times) // 2]
    return {
        "rows": IMPORT_ROWS,
        "service_s": round(service, 3),
        "validation_s": round(middle["validation_s"], 3),
        "confirmation_s": round(middle["confirmation_s"], 3),
        "openpyxl_parse_s": round(parse, 3),
        "ratio": round(service / parse, 2),
        "target": 3.0,
    }


# --- PDFs -------------------------------------------------------------------------------------------


def _pdf_floor(html: str) -> float:
    from weasyprint import HTML

    seconds, _ = _timed(lambda: HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf())
    return seconds


def pdfs(rounds: int = 3) -> dict:
    from candidats import documents as pdf
    from candidats.billing import commande_for
    from sessions_app.models import BonDeCommande

    big = dataset.big_session().numero
    results = {}

    def bon():
        session = Session.objects.select_related("centre", "produit").get(numero=big)
        return pdf.bon_de_commande_pdf(session, BonDeCommande.objects.filter(session=session).first())

    session = Session.objects.select_related("centre", "produit").get(numero=big)
    html = render_to_string(
        "pdf/bon_de_commande.html",
        {
            "session": session,
            "centre": session.centre,
            "commande": commande_for(session),
            "bon": BonDeCommande.objects.filter(session=session).first(),
            "generated_at": timezone.now(),
        },
    )
    results["bon_de_commande_300"] = _compare(bon, html, rounds)
    results["attestation"] = _attestation(rounds)
    return results


def _compare(render, html: str, rounds: int) -> dict:
    """Service and floor measured in turns, so that the load of a shared machine weighs on both."""
    render()  # fonts and templates loaded once, for both sides
    _pdf_floor(html)
    service_times, floor_times = [], []
    for _ in range(rounds):
        service_times.append(_timed(render)[0])
        floor_times.append(_pdf_floor(html))
    service, floor = statistics.median(service_times), statistics.median(floor_times)
    return {
        "service_s": round(service, 3),
        "weasyprint_static_s": round(floor, 3),
        "ratio": round(service / floor, 2),
        "target": 1.5,
    }


def _attestation(rounds: int) -> dict:
    """One candidate's attestation de résultats (candidats.attestations), from the measured session
    of 300 whose results the dataset publishes."""
    from candidats.attestations import attestation_pdf, verification_code
    from candidats.models import Inscription
    from candidats.results import columns, results_table, valid_until

    inscription = (
        Inscription.objects.filter(session=dataset.big_session(), statut="inscrit", resultats__isnull=False)
        .order_by("pk")
        .first()
    )

    def table():
        session = Session.objects.select_related("centre", "produit").get(pk=inscription.session_id)
        return session, next(i for i in results_table(session) if i.pk == inscription.pk)

    seconds, (session, line) = _timed(table)

    def render():
        return attestation_pdf(session, line, verification_code())

    html = render_to_string(
        "pdf/attestation.html",
        {
            "session": session,
            "centre": session.centre,
            "inscription": line,
            "candidat": line.candidat,
            "lines": line.lines,
            "code": verification_code(),
            "photo": None,
            "cols": columns([line]),
            "overall": line.overall,
            "valid_until": valid_until(session),
            "validite_annees": session.produit.validite_annees,
            "generated_at": timezone.now(),
        },
    )
    return _compare(render, html, rounds * 3) | {"results_table_of_the_session_s": round(seconds, 3)}


# --- Attestations at publication (real workers) -----------------------------------------------------

PUBLICATION_WORKERS = 2
# No new attestation for this long: the measure stops (a chunk takes a few seconds).
PUBLICATION_STALLED_S = 120


def _start_workers(n: int, log) -> tuple[list, list[str]]:
    """`n` Celery worker processes (prefork, one child each) on the bench's broker and database, as
    production runs them; the notices' e-mails go nowhere."""
    import os
    import subprocess
    import sys
    import uuid

    from .http import ROOT

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portail.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PYTEST_VERSION", None)
    names = [f"bench-{i}-{uuid.uuid4().hex[:8]}@localhost" for i in range(n)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portail",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                name,
                "-l",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for name in names
    ]
    return procs, names


def _wait_ready(names: list[str], procs: list, seconds: float = 120) -> None:
    from portail.celery import app

    deadline = time.monotonic() + seconds
    while True:
        answered = {name for reply in app.control.ping(destination=names, timeout=1.0) for name in reply}
        if answered >= set(names):
            return
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError(f"workers Celery non démarrés ({len(answered)} / {len(names)} répondent)")


def _stop_workers(procs: list) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
            proc.wait()


def _remove_attestations(session: Session) -> None:
    from candidats.models import AvisResultats
    from sessions_app.models import Document, DocumentKind

    documents = Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION)
    for document in documents:
        document.fichier.delete(save=False)
    documents.delete()
    AvisResultats.objects.filter(inscription__session=session).delete()


def _wait_for(condition, seconds: float) -> float | None:
    """Seconds until `condition()` held (polled every 50 ms), None after `seconds`."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > seconds:
            return None
        time.sleep(0.05)
    return time.perf_counter() - start


def _wait_for_count(count, target: int, stalled_s: float) -> float | None:
    """Seconds until `count()` reaches `target` (to 0.2 s); None once it has not moved for `stalled_s` (workers dead,
    a queue emptied under them) rather than waiting for ever."""
    start = moved = time.perf_counter()
    last = count()
    while last < target:
        time.sleep(0.2)  # a light poll: the workers and PostgreSQL share the machine
        now, value = time.perf_counter(), count()
        if value != last:
            last, moved = value, now
        elif now - moved > stalled_s:
            return None
    return time.perf_counter() - start


def attestations_publication(workers: int = PUBLICATION_WORKERS, floor_rounds: int = 3) -> dict:
    """The session of 300 published through the service (candidats.results.publish) with `workers` real
    Celery workers (prefork, one child each, sharing the chunks): seconds until every attestation exists,
    against as many times WeasyPrint's floor for one attestation's HTML (the same HTML, rendered alone in this
    process). Every active enrolment with a score gets one: 283 of the 300 in the dataset, whose cancelled and
    postponed enrolments get none. Everything it made is removed afterwards (the attestations and their files,
    the notices, the history row, scores it had to give) and the session is back as it was."""
    import tempfile

    from candidats import attestations, results
    from candidats.models import AvisResultats, InscriptionStatus, Resultat

    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return {"absent": "REDIS_URL et CELERY_TASK_ALWAYS_EAGER=false requis (vrais workers)"}
    session = Session.objects.select_related("centre", "produit").get(pk=dataset.big_session().pk)
    statut = session.statut
    last_history = SessionStatusChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _remove_attestations(session)  # what an interrupted run may have left
    added_scores = []
    if not attestations.expected(session).exists():
        # Give the session its scores (what FDA enters): every épreuve sat by an active enrolment.
        from candidats.models import InscriptionEpreuve

        added_scores = Resultat.objects.bulk_create(
            Resultat(inscription_id=ie.inscription_id, epreuve_id=ie.epreuve_id, score=300)
            for ie in InscriptionEpreuve.objects.filter(
                inscription__session=session, inscription__statut=InscriptionStatus.INSCRIT, absent=False
            )
        )
    expected = attestations.expected(session).count()

    # The floor: one candidate's attestation HTML (the service's own context) through WeasyPrint.
    first = results.results_queryset(session).filter(pk__in=attestations.expected(session).values("pk"))
    [inscription] = results.with_lines(list(first[:1]), session)
    code = attestations.verification_code()
    html = render_to_string(
        "pdf/attestation.html",
        {"generated_at": timezone.now(), **attestations.attestation_context(session, inscription, code)},
    )
    _pdf_floor(html)  # fonts loaded once
    # Measured before and after the publication: the load of a shared machine weighs on both sides.
    floor_times = [_pdf_floor(html) for _ in range(floor_rounds)]

    def ready() -> int:
        return attestations.progress(session).ready

    _purge_queue()
    Session.objects.filter(pk=session.pk).update(statut=SessionStatus.CORRECTION)
    procs = []
    with tempfile.TemporaryFile(mode="w+") as log:
        try:
            procs, names = _start_workers(workers, log)
            _wait_ready(names, procs)
            gc.collect()
            start = time.perf_counter()
            results.publish(session, allow_missing=True)  # returns at once: the workers render
            returned = time.perf_counter() - start
            seconds = _wait_for_count(ready, expected, PUBLICATION_STALLED_S)
            if seconds is None:
                log.seek(0)
                raise RuntimeError(
                    f"attestations : {ready()} / {expected}, plus rien depuis {PUBLICATION_STALLED_S} s\n"
                    + log.read()[-3000:]
                )
            seconds += returned
            notices = _wait_for(
                lambda: AvisResultats.objects.filter(inscription__session=session).count() >= expected, 300
            )
            made = attestations.progress(session).ready
        finally:
            _stop_workers(procs)
            _purge_queue()
            _remove_attestations(session)
            SessionStatusChange.objects.filter(session=session, pk__gt=last_history).delete()
            Session.objects.filter(pk=session.pk).update(statut=statut)
            if added_scores:
                Resultat.objects.filter(pk__in=[r.pk for r in added_scores]).delete()
    floor_times += [_pdf_floor(html) for _ in range(floor_rounds)]
    floor = statistics.median(floor_times)
    return {
        "attestations": made,
        "expected": expected,
        "workers": workers,
        "chunk_size": attestations.CHUNK_SIZE,
        "chunks": len(attestations.chunks(list(range(expected)))),
        "publish_request_s": round(returned, 3),
        "service_s": round(seconds, 2),
        "weasyprint_one_s": round(floor, 3),
        "weasyprint_floor_s": round(floor * expected, 2),
        "ratio": round(seconds / (floor * expected), 2),
        "notices_after_s": None if notices is None else round(notices, 2),
        "target": 1.0,
    }
