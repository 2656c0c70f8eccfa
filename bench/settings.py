"""Settings of the gunicorn server the bench measures: production settings plus one outermost
middleware that reports the request's server time and SQL query count in response headers."""

from portail.settings import *  # noqa: F403
from portail.settings import MIDDLEWARE

MIDDLEWARE = ["bench.middleware.measure", *MIDDLEWARE]
