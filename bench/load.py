"""The load test (`make load`, and part of `make bench`): Locust's simulated centre users against gunicorn +
PostgreSQL + Redis on this machine at the bench's national scale, for a bounded time, while the D-2 closure of the
10,000 due sessions runs in the middle of it. Then the same users and pace on the login page (the floor).

Checks: no server error, p95 of every request kind under the target, every successful enrolment POST stored
once (no loss, no duplicate), every due session closed exactly once (one history row each), no deadlock. The
bench's state is restored afterwards (sessions reopened, test enrolments and accounts removed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from .http import percentile

ROOT = Path(__file__).resolve().parent.parent
USERS = 100
CENTRES = 100
DURATION_S = 60
P95_TARGET_MS = 300
# A centre user's pause between two clicks, in seconds ("min,max"): reading a list or filling a form takes
# 5 to 15 s; `--load-pause 1,3` is the stress version (each user clicks three to five times as often).
PAUSE = "5,15"


def _percentile(histogram: dict[str, int], p: float) -> float:
    """The p-th percentile of Locust's response-time histogram ({rounded ms: count})."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    seen = 0
    for ms, count in sorted(((float(k), v) for k, v in histogram.items()), key=lambda kv: kv[0]):
        seen += count
        if seen >= p * total:
            return ms
    return max(float(k) for k in histogram)


def _locust(port: int, users_file: Path, user_class: str, duration: int, pause: str) -> dict:
    csv_prefix = Path(tempfile.mkdtemp(prefix="portail-locust-")) / "run"
    cmd = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(ROOT / "bench" / "locustfile.py"), user_class,
        "--headless", "-u", str(USERS), "-r", "50", "-t", f"{duration}s",
        "--host", f"http://127.0.0.1:{port}", "--json", "--only-summary", "--loglevel", "ERROR",
        "--stop-timeout", "10", "--csv", str(csv_prefix),
        "--reset-stats",  # the steady state: the figures start once the 100 users have all arrived
    ]  # fmt: skip
    out = csv_prefix.with_name("out.json")
    env = {
        **os.environ,
        "BENCH_LOAD_USERS": str(users_file),
        "BENCH_LOAD_PAUSE": pause,
        "BENCH_LOAD_OUT": str(out),
    }
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=duration + 120)
    start = done.stdout.find("[")
    if start < 0 or not out.exists():
        raise RuntimeError("locust n'a rien rendu : " + done.stderr[-2000:])
    entries = json.loads(done.stdout[start:])
    written = json.loads(out.read_text())
    kinds = {}
    for entry in entries:
        server = written["server_ms"].get(entry["name"]) or [0.0]
        kinds[entry["name"]] = {
            "requests": entry["num_requests"],
            "failures": entry["num_failures"],
            "p50_ms": _percentile(entry["response_times"], 0.50),
            "p95_ms": _percentile(entry["response_times"], 0.95),
            "server_p95_ms": round(percentile(server, 0.95), 1),
        }
    requests = sum(k["requests"] for k in kinds.values())
    failures_csv = csv_prefix.with_name("run_failures.csv")
    errors = failures_csv.read_text().splitlines()[1:11] if failures_csv.exists() else []
    return {
        "kinds": kinds,
        "requests": requests,
        "rps": round(requests / duration, 1),
        "errors": errors,
        "accepted": written["accepted"],
    }


def _accounts(login_cookie) -> tuple[list[dict], list, int]:
    """One Responsable per centre for the first CENTRES centres, each with an open session of its own (for the
    enrolment POSTs) and the paths the mix reads; returns (users, created sessions, last candidate id)."""
    from candidats.models import Candidat, Inscription
    from centres.models import Centre, Membership, User
    from centres.roles import Role
    from tarifs.models import Produit

    from . import measures

    since = measures._last_candidat()
    produit = Produit.objects.filter(modulaire=False, statut="actif").order_by("pk").first()
    users, sessions = [], []
    for centre in Centre.objects.order_by("pk")[:CENTRES]:
        user, _ = User.objects.get_or_create(
            email=f"charge-{centre.pk}@bench.test",
            defaults={"first_name": "Charge", "last_name": str(centre.pk)},
        )
        Membership.objects.get_or_create(user=user, centre=centre, defaults={"role": Role.RESPONSABLE})
        session = measures._import_session(centre, produit, places=100_000)
        sessions.append(session)
        inscription = (
            Inscription.objects.filter(session__centre=centre)
            .order_by("-pk")
            .values("numero", "session__numero")
            .first()
        )
        name = (
            Candidat.objects.filter(centre=centre).order_by("pk").values_list("nom", flat=True).first() or "a"
        )
        users.append(
            {
                "cookies": login_cookie(user.email),
                "inscrire": reverse("candidats:inscrire", args=[session.numero]),
                "candidats": reverse("candidats:session_candidats", args=[inscription["session__numero"]]),
                "inscription": reverse("candidats:inscription", args=[inscription["numero"]]),
                "search": f"{reverse('candidats:inscriptions')}?q={name.lower()[:6]}",
            }
        )
    return users, sessions, since


def _warm_up(port: int, users: list[dict]) -> None:
    """Each user's pages once, unmeasured (as the page bench warms up): PostgreSQL's and the system's caches
    hold what the 100 centres read, as on a server in use, instead of the first read from disk of each."""
    from .http import Client

    for user in users:
        client = Client(port, user["cookies"])
        for key in ("candidats", "inscription", "search", "inscrire"):
            client.get(user[key])
        for path in ("/", "/sessions/", "/messagerie/"):  # the locustfile's own paths
            client.get(path)
        client.close()


def run(port: int, login_cookie, duration: int = DURATION_S, pause: str = PAUSE) -> dict:
    from candidats.documents import close_due_sessions
    from candidats.models import Inscription
    from centres.models import User
    from sessions_app.models import Session, SessionStatus, SessionStatusChange

    from . import measures

    users, sessions, since = _accounts(login_cookie)
    now = timezone.now()
    due = list(Session.objects.due_for_closure(now).values_list("pk", flat=True))
    last_history = SessionStatusChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    closure: dict = {}

    def close_in_the_middle() -> None:
        time.sleep(duration / 3)
        start = time.perf_counter()
        try:
            closure["closed"] = len(close_due_sessions(now))
        except Exception as exc:  # a deadlock would surface here
            closure["error"] = repr(exc)
        closure["seconds"] = round(time.perf_counter() - start, 2)
        connection.close()

    _warm_up(port, users)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(users, handle)
    users_file = Path(handle.name)
    try:
        closer = threading.Thread(target=close_in_the_middle)
        closer.start()
        mix = _locust(port, users_file, "CentreUser", duration, pause)
        closer.join()
        floor = _locust(port, users_file, "LoginPage", duration, pause)
    finally:
        users_file.unlink(missing_ok=True)

    # Every enrolment the portal accepted over the whole run (the statistics' reset included) is stored, once.
    accepted = mix.pop("accepted")
    floor.pop("accepted")
    stored_names = list(
        Inscription.objects.filter(session__in=sessions).values_list("candidat__nom", flat=True)
    )
    lost = sorted(set(accepted) - set(stored_names))
    twice = len(stored_names) - len(set(stored_names))
    history = SessionStatusChange.objects.filter(pk__gt=last_history, session_id__in=due, to_status="close")
    closed_once = history.values("session_id").distinct().count() == history.count() == len(due)
    failed = sum(k["failures"] for name, k in mix["kinds"].items() if name != "Inscription (envoi)") + sum(
        k["failures"] for k in floor["kinds"].values()
    )
    result = {
        "users": USERS,
        "centres": CENTRES,
        "duration_s": duration,
        "pause_s": pause,
        "mix": mix,
        "login_page": floor,
        "throughput_ratio": round(mix["rps"] / floor["rps"], 2) if floor["rps"] else None,
        "closure_during_load": {**closure, "due": len(due), "closed_exactly_once": closed_once},
        "enrolments": {"accepted": len(accepted), "stored": len(stored_names), "lost": lost, "twice": twice},
        "failed_requests": failed,  # a 5xx, or any status a page should not answer
        "p95_target_ms": P95_TARGET_MS,
    }
    result["ok"] = (
        failed == 0
        and all(k["p95_ms"] < P95_TARGET_MS for k in mix["kinds"].values())
        and not lost
        and not twice
        and closure.get("closed") == len(due)
        and closed_once
        and "error" not in closure
    )
    # Back to the dataset's state.
    Session.objects.filter(pk__in=due).update(statut=SessionStatus.OUVERTE)
    SessionStatusChange.objects.filter(pk__gt=last_history).delete()
    for session in sessions:
        measures._drop_session(session, None)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM candidats_candidat WHERE id > %s", [since])
    User.objects.filter(email__endswith="@bench.test", email__startswith="charge-").delete()
    measures._purge_queue()
    measures._vacuum("sessions_app_session", "sessions_app_sessionstatuschange", "candidats_inscription")
    return result
