"""`make run PORT=…` serves on that port and the links in e-mails (SITE_URL) follow it.

The Makefile's `run` recipe really runs, with a stand-in for the virtualenv's python that records the
arguments and the SITE_URL it was given: nothing is migrated, no server is started."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.smtpserver import free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make absent")


def run_make(tmp_path, *variables, **env_overrides):
    log = tmp_path / "calls.log"
    fake_python = tmp_path / "python"
    fake_python.write_text(f'#!/bin/sh\necho "SITE_URL=$SITE_URL DEBUG=$DEBUG ARGS=$*" >> {log}\n')
    fake_python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "MAKEFLAGS"}}
    env.update(env_overrides)
    # STAMP= drops the virtualenv prerequisite: the stand-in python is all the recipe needs.
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"PY={fake_python}", "STAMP=", *variables],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return log.read_text().splitlines()


def test_it_serves_on_the_port_given_and_e_mail_links_follow_it(tmp_path):
    calls = run_make(tmp_path, "PORT=8123")
    assert [c.split("ARGS=")[1] for c in calls] == [
        "manage.py migrate --noinput",
        "manage.py demo_data",
        "manage.py runserver 127.0.0.1:8123",
    ]
    # Every step (demo_data prints links too) sees the same SITE_URL.
    assert all(c.startswith("SITE_URL=http://127.0.0.1:8123 DEBUG=true ") for c in calls)


def test_it_keeps_port_8000_by_default(tmp_path):
    calls = run_make(tmp_path)
    assert calls[-1] == "SITE_URL=http://127.0.0.1:8000 DEBUG=true ARGS=manage.py runserver 127.0.0.1:8000"


def test_an_exported_site_url_wins_over_the_port(tmp_path):
    calls = run_make(tmp_path, "PORT=8123", SITE_URL="https://demo.example.org")
    assert calls[-1] == "SITE_URL=https://demo.example.org DEBUG=true ARGS=manage.py runserver 127.0.0.1:8123"


def test_settings_read_site_url_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portail.settings", "SITE_URL": "http://127.0.0.1:8123"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123"


def test_the_demo_really_starts_on_an_embedded_sqlite_database(tmp_path):
    """The README's first command, for real: migrations on a new SQLite file, the demo data, the server
    answering the login page. (A migration that only PostgreSQL could apply once broke it unnoticed.)"""
    import signal
    import time
    import urllib.request

    port = free_port()
    unset = {
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "SECRET_KEY",
        "MAKEFLAGS",
        "CI",
    }
    env = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("PYTEST")}
    # Its own database file and media folder, so that the checkout's demo is left alone.
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"))
    log = tmp_path / "make-run.log"
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", f"PY={sys.executable}", "STAMP="],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("make run n'a pas démarré :\n" + log.read_text()[-4000:])
                time.sleep(0.5)
        assert response.status == 200 and "Se connecter" in page
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # make, runserver and its autoreloader's child
            server.wait(timeout=30)
