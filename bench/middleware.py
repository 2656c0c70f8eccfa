"""Outermost middleware of the bench server: X-Bench-Ms (server time, from the first middleware in
to the response out) and X-Bench-Queries (SQL statements run by the request, session and auth
lookups included)."""

import time

from django.db import connection


def measure(get_response):
    def middleware(request):
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(count):
            response = get_response(request)
        response["X-Bench-Ms"] = f"{(time.perf_counter() - start) * 1000:.2f}"
        response["X-Bench-Queries"] = str(queries)
        return response

    return middleware
