"""The HTTP side of the bench: a gunicorn server on loopback and a small keep-alive client that
reads the server's X-Bench-Ms / X-Bench-Queries headers (bench/middleware.py)."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int = 2, threads: int = 4):
    """gunicorn portail.wsgi on 127.0.0.1 with the bench settings; yields the port."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATICFILES_MANIFEST": "false",
        "LOG_LEVEL": "WARNING",
    }
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        "portail.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        # Idle keep-alive connections are kept longer than a simulated user's pause (1-3 s): with gunicorn's
        # default 2 s, a request sent just as the server closes its connection is reset.
        "--keep-alive",
        "10",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                Client(port).get("/connexion/")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn n'a pas démarré") from None
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, elapsed_ms: float):
        self.status, self.headers, self.body, self.elapsed_ms = status, headers, body, elapsed_ms

    @property
    def server_ms(self) -> float:
        return float(self.headers.get("x-bench-ms", "nan"))

    @property
    def queries(self) -> int:
        return int(self.headers.get("x-bench-queries", "-1"))


class Client:
    """One keep-alive connection with a cookie jar (session and CSRF cookies)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                raw = self.conn.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter() - start) * 1000
            break
        for key, value in raw.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, elapsed)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, fields: list[tuple[str, str]]) -> Response:
        token = self.cookies.get("csrftoken", "")
        body = urlencode([("csrfmiddlewaretoken", token), *fields]).encode()
        return self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure_pages(targets: list[tuple[Client, str]], *, runs: int, warmup: int = 3) -> list[dict]:
    """Every page `runs` times, in turns (page 1, page 2, …, page 1, …): a burst of load on the shared
    machine spreads over all pages instead of landing on the one being measured."""
    for client, path in targets:
        for _ in range(warmup):
            client.get(path)
    samples = [{"server": [], "total": [], "statuses": set(), "queries": set()} for _ in targets]
    for _ in range(runs):
        for (client, path), sample in zip(targets, samples, strict=True):
            response = client.get(path)
            sample["statuses"].add(response.status)
            sample["server"].append(response.server_ms)
            sample["total"].append(response.elapsed_ms)
            sample["queries"].add(response.queries)
    return [
        {
            "path": path,
            "status": sorted(sample["statuses"]),
            "server_median_ms": round(statistics.median(sample["server"]), 1),
            "server_p95_ms": round(percentile(sample["server"], 0.95), 1),
            "http_median_ms": round(statistics.median(sample["total"]), 1),
            "http_p95_ms": round(percentile(sample["total"], 0.95), 1),
            "queries": max(sample["queries"]),
            "runs": runs,
        }
        for (_, path), sample in zip(targets, samples, strict=True)
    ]
