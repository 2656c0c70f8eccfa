import pytest

from tests.cache import clear_own_cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The token throttle counts in the cache (Redis): each test starts from zero."""
    clear_own_cache()
    yield
    clear_own_cache()
