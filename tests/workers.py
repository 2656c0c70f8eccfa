"""A real Celery worker process for the tests: the project's app, over the real Redis broker, on the test's
PostgreSQL database, listening to a queue of its own (so no other worker can take its tasks)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parent.parent


def start_worker(queue, log, **extra_env):
    db = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SECRET_KEY": "worker-of-the-kill-test-" + "x" * 32,  # a serving process wants a real-length key
        "DJANGO_SETTINGS_MODULE": "portail.settings",
    }
    env.update(extra_env)
    env.pop("PYTEST_VERSION", None)  # the worker is not a test process: tasks must not run eagerly
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portail",
        "worker",
        "-P",
        "solo",
        "-c",
        "1",
        "-Q",
        queue,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{uuid.uuid4().hex}@%h",
        "-l",
        "warning",
    ]
    return subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
