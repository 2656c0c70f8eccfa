"""make bench works only on its own database: it refuses the server's system databases and any
database that holds tables without being named for the bench (the suite's own one, here)."""

import os

import pytest
from django.db import connection

from bench.run import guard

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI: ce test exige PostgreSQL")
        pytest.skip("PostgreSQL requis (le banc ne tourne que sur PostgreSQL)")


def test_it_refuses_a_database_with_tables_not_named_for_the_bench(postgresql):
    assert "bench" not in connection.settings_dict["NAME"]
    with pytest.raises(SystemExit, match="contient déjà"):
        guard(rebuild=False)


@pytest.mark.parametrize("name", ["postgres", "template1"])
def test_it_refuses_the_system_databases(postgresql, settings, name):
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "NAME": name}}
    with pytest.raises(SystemExit, match="base système"):
        guard(rebuild=True)


def test_it_refuses_sqlite(settings):
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}}
    with pytest.raises(SystemExit, match="PostgreSQL est nécessaire"):
        guard(rebuild=False)
