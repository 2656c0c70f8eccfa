"""Production settings pass Django's deployment checklist, and nothing falls back silently."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PYTEST_VERSION", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production_env(**extra):
    return {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-like-key-" + "x" * 40,
        "ALLOWED_HOSTS": "portail.example.org",
        **extra,
    }


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_serve_without_a_secret_key():
    for command in (["manage.py", "runserver", "--noreload", "127.0.0.1:0"], ["-c", "import portail.wsgi"]):
        env = {
            k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        }
        env.update(production_env(SECRET_KEY=""))
        result = subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode != 0, command
        assert "SECRET_KEY doit être défini" in result.stderr


def test_one_off_commands_run_without_a_secret_key():
    result = run_manage("makemigrations", "--check", "--dry-run", **production_env(SECRET_KEY=""))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_refuses_to_fall_back_to_sqlite():
    env = production_env(CI="true")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            k: v
            for k, v in {**os.environ, **env}.items()
            if k not in {"DATABASE_URL", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
