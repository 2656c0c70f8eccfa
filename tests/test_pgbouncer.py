"""Many web processes, one database: the portal works behind PgBouncer in transaction mode (DATABASE_POOLER=
pgbouncer), as the README advises. A real PgBouncer (Debian's package, installed by .ci/run) pools the test's
PostgreSQL database; a separate process of the portal goes through it for an enrolment under the session's row
lock and an export that reads its rows in chunks."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import InscriptionFactory, SessionFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}
PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)

SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.db import connection, transaction
from candidats import exports
from core.exports import export_now
from candidats.models import Inscription
from candidats.services import lock_session
from sessions_app.models import Session

assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
session = Session.objects.get(numero={numero})
with transaction.atomic():
    locked = lock_session(session)
    taken = locked.count_places_taken()
_, _, content = export_now(exports.INSCRIPTIONS, Inscription.objects.filter(session=session))
with connection.cursor() as cursor:
    cursor.execute("SHOW port")
    print("through", cursor.fetchone()[0], "taken", taken, "xlsx", len(content) > 1000)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_pgbouncer(directory: Path, db: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    user = db["USER"] or "postgres"
    (directory / "users.txt").write_text(f'"{user}" ""\n')
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 50\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    os.chmod(directory, 0o755)
    cmd = [PGBOUNCER, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        cmd[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("PgBouncer ne démarre pas : " + (process.stdout.read() if process.stdout else ""))


@pytest.mark.django_db(transaction=True)
def test_the_portal_works_through_pgbouncer_in_transaction_mode(centre_a):
    if connection.vendor != "postgresql" or PGBOUNCER is None:
        if IN_CI:
            pytest.fail("CI=true : ce test exige PostgreSQL et PgBouncer", pytrace=False)
        pytest.skip("PgBouncer (apt-get install pgbouncer) et PostgreSQL sont nécessaires")
    session = SessionFactory(centre=centre_a)
    for _ in range(3):
        InscriptionFactory(session=session)
    db = connection.settings_dict
    with tempfile.TemporaryDirectory() as directory:
        pgbouncer, port = _start_pgbouncer(Path(directory), db)
        try:
            env = {
                **os.environ,
                "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@127.0.0.1:{port}/{db['NAME']}",
                "DATABASE_POOLER": "pgbouncer",
                "DJANGO_SETTINGS_MODULE": "portail.settings",
            }
            result = subprocess.run(
                [sys.executable, "-c", SCRIPT.replace("{numero}", str(session.numero))],
                cwd=PROJECT_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            pgbouncer.terminate()
            pgbouncer.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    # Its DATABASE_URL named PgBouncer's port, on which nothing else listens: it reached PostgreSQL through it.
    assert "taken 3 xlsx True" in result.stdout


def test_an_unknown_pooler_is_refused():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_DIR,
        env={**os.environ, "DATABASE_POOLER": "pgpool", "DJANGO_SETTINGS_MODULE": "portail.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DATABASE_POOLER" in result.stderr
