"""The load test's simulated users (Locust), run by bench/load.py as a separate process (Locust's gevent must not
share a process with the ORM). Each simulated user is a different centre user, logged in by a real session cookie,
with the mix of a working day: dashboard, sessions, a session's candidates, search, a candidate's page, the
messagerie, and from time to time an enrolment (GET the form, POST it with its CSRF token).

BENCH_LOAD_USERS names a JSON file: one entry per user (cookies, paths, search term), written by bench/load.py.
BENCH_LOAD_OUT names the file this process writes when it quits: the names of the accepted enrolments (over the
whole run, for the no-loss check) and the server time of each request kind (bench/middleware.py's X-Bench-Ms,
since the reset of the statistics), which tells the server's own time from the time spent waiting for a worker."""

import itertools
import json
import os
import random
import re
import uuid
from collections import defaultdict

import gevent
from locust import HttpUser, between, events, task

USERS = json.loads(open(os.environ["BENCH_LOAD_USERS"]).read())  # noqa: SIM115
_accounts = itertools.cycle(USERS)
# Seconds a person spends on a page before the next click (bench/load.py sets it: --load-pause).
PAUSE = tuple(float(x) for x in os.environ.get("BENCH_LOAD_PAUSE", "5,15").split(","))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACCEPTED: list[str] = []  # names of the candidates whose enrolment POST answered 302
SERVER_MS: dict[str, list[float]] = defaultdict(list)


@events.request.add_listener
def _server_time(name, response, exception, **kwargs):
    if exception is None and response is not None and "X-Bench-Ms" in response.headers:
        SERVER_MS[name].append(float(response.headers["X-Bench-Ms"]))


@events.reset_stats.add_listener
def _reset_server_times():
    SERVER_MS.clear()


@events.quitting.add_listener
def _write_out(environment, **kwargs):
    with open(os.environ["BENCH_LOAD_OUT"], "w") as out:
        json.dump({"accepted": ACCEPTED, "server_ms": SERVER_MS}, out)


def _stagger() -> None:
    """The users are at work already: a user's first click comes at a random moment of one pause, not at
    the moment Locust starts them (100 first clicks in the two seconds of the start measured a crowd that
    never happens: every enrolment POST over 300 ms of a run fell in them)."""
    gevent.sleep(random.uniform(0, PAUSE[1]))


class CentreUser(HttpUser):
    wait_time = between(*PAUSE)  # a person reads the page before the next click

    def on_start(self):
        self.me = next(_accounts)
        self.client.cookies.update(self.me["cookies"])
        _stagger()

    @task(4)
    def dashboard(self):
        self.client.get("/", name="Tableau de bord")

    @task(3)
    def sessions(self):
        self.client.get("/sessions/", name="Sessions")

    @task(3)
    def session_candidates(self):
        self.client.get(self.me["candidats"], name="Candidats d'une session")

    @task(2)
    def search(self):
        self.client.get(self.me["search"], name="Recherche d'inscriptions")

    @task(2)
    def candidate(self):
        self.client.get(self.me["inscription"], name="Page d'un candidat")

    @task(2)
    def messagerie(self):
        self.client.get("/messagerie/", name="Messagerie")

    @task(1)
    def enrol(self):
        form = self.client.get(self.me["inscrire"], name="Inscription (formulaire)")
        token = CSRF.search(form.text)
        if token is None:
            return
        # The portal's CSRF cookie is Secure (HTTPS in production); the bench serves plain HTTP on loopback.
        csrf_cookie = form.cookies.get("csrftoken") or self.client.cookies.get("csrftoken")
        if csrf_cookie:
            self.client.cookies.set("csrftoken", csrf_cookie, secure=False)
        tag = uuid.uuid4().hex[:10]
        fields = {
            "csrfmiddlewaretoken": token.group(1),
            "nom": f"Charge{tag}",
            "prenom": "Candidat",
            "date_naissance": "1990-05-17",
            "genre": "F",
            "langue_maternelle": "ara",
            "email": f"{tag}@exemple.test",
            "nationalite": "DZ",
            "motivation": "C",
            "numero_piece_identite": tag,
        }
        with self.client.post(
            self.me["inscrire"],
            data=fields,
            name="Inscription (envoi)",
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + self.me["inscrire"]},
        ) as response:
            if response.status_code == 302:
                response.success()
                ACCEPTED.append(fields["nom"])
            else:
                response.failure(f"inscription refusée ({response.status_code})")


class LoginPage(HttpUser):
    """The floor: the same users and pace on the login page, which reads no data."""

    wait_time = between(*PAUSE)

    def on_start(self):
        _stagger()

    @task
    def login_page(self):
        self.client.get("/connexion/", name="Connexion")
