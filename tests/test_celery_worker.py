"""A real Celery worker, over the real Redis broker, runs a task sent by the project's app.

Runs whenever REDIS_URL is set (always in CI, where its absence is an error); skipped locally
without Redis, where tasks run eagerly in-process.
"""

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}


def test_real_worker_runs_a_task_through_redis():
    if not REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true mais REDIS_URL n'est pas défini", pytrace=False)
        pytest.skip("REDIS_URL non défini : pas de broker réel (les tâches s'exécutent en mode eager)")

    from portail.celery import app, ping

    # A queue of its own, so that a worker started by hand (`make worker`) on the same Redis cannot
    # take the task and make this test pass without the worker started here.
    queue = f"test-ping-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-key"),
        "DJANGO_SETTINGS_MODULE": "portail.settings",
    }
    cmd = [
        sys.executable, "-m", "celery", "-A", "portail", "worker",
        "-P", "solo", "-c", "1", "-Q", queue,
        "--without-heartbeat", "--without-gossip", "--without-mingle",
        "-n", f"{queue}@%h", "-l", "warning",
    ]  # fmt: skip

    # Settings make the app eager only without REDIS_URL; force it off in case a fixture turned it on.
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            result = ping.apply_async(queue=queue)
            try:
                assert result.get(timeout=30) == "pong"
            except Exception:
                log.seek(0)
                print("--- celery worker output ---\n" + log.read())
                raise
            finally:
                result.forget()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            app.conf.task_always_eager = was_eager
