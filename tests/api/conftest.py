import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The token throttle counts in the cache (Redis): each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
