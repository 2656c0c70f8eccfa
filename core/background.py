"""Work handed to the Celery workers once the transaction commits, never run inside the request.

With a broker, `run_in_background(task, …)` is `task.delay(…)` after commit. With eager tasks and no
worker (the local demo), a daemon thread stands in for the worker, so a long job (an export, the
attestations of a session) does not hold the request either: the page shows its progress at once. The
test suite keeps eager tasks synchronous (BACKGROUND_THREADS is off there), so a test sees the result."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)


def run_in_background(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: _dispatch(task, args, kwargs))


def _dispatch(task, args: tuple, kwargs: dict) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.BACKGROUND_THREADS:
        thread = threading.Thread(
            target=_run_in_thread, args=(task, args, kwargs), daemon=True, name=f"background {task.name}"
        )
        thread.start()
    else:
        task.delay(*args, **kwargs)


def _run_in_thread(task, args: tuple, kwargs: dict) -> None:
    try:
        task.apply(args=args, kwargs=kwargs, throw=True)
    except Exception:
        logger.exception("Background task %s failed", task.name)
    finally:
        connections.close_all()
