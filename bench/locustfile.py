"""The load test's simulated users (Locust), run by bench/load.py as a separate process (Locust's gevent must not
share a process with the ORM). Each simulated user is a different centre user, logged in by a real session cookie,
with the mix of a working day: dashboard, sessions, a session's candidates, search, a candidate's page, the
messagerie, and from time to time an enrolment (GET the form, POST it with its CSRF token).

BENCH_LOAD_USERS names a JSON file: one entry per user (cookies, paths, search term), written by bench/load.py."""

import itertools
import json
import os
import re
import uuid

from locust import HttpUser, between, task

USERS = json.loads(open(os.environ["BENCH_LOAD_USERS"]).read())  # noqa: SIM115
_accounts = itertools.cycle(USERS)
# Seconds a person spends on a page before the next click (bench/load.py sets it: --load-pause).
PAUSE = tuple(float(x) for x in os.environ.get("BENCH_LOAD_PAUSE", "5,15").split(","))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class CentreUser(HttpUser):
    wait_time = between(*PAUSE)  # a person reads the page before the next click

    def on_start(self):
        self.me = next(_accounts)
        self.client.cookies.update(self.me["cookies"])

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
            else:
                response.failure(f"inscription refusée ({response.status_code})")


class LoginPage(HttpUser):
    """The floor: the same users and pace on the login page, which reads no data."""

    wait_time = between(*PAUSE)

    @task
    def login_page(self):
        self.client.get("/connexion/", name="Connexion")
