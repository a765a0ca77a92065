"""E2E fixtures: the real `regentra local` process, driven over HTTP like a user with curl."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from regentra.local.dynamodb_local import free_port

REPO = Path(__file__).resolve().parents[2]


class LocalProcess:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.smtp_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / "regentra-local.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> LocalProcess:
        exe = Path(sys.executable).parent / "regentra"
        built = os.environ.get("REGENTRA_BUILD_DIR")  # make build-check: the e2e run serves the build
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        start = self.log.stat().st_size if self.log.exists() else 0
        # Output goes to a file: a pipe nobody reads would fill up and block the server.
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    str(exe),
                    "local",
                    "--port",
                    str(self.port),
                    "--smtp-port",
                    str(self.smtp_port),
                    "--data-dir",
                    str(self.data_dir),
                    *(["--from-build", built] if built else []),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[start:].decode(errors="replace")
            if "Stop with Ctrl-C" in text:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("regentra local exited:\n" + text)
            time.sleep(0.2)
        raise TimeoutError("regentra local did not start:\n" + self.log.read_text(errors="replace"))

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        rc = self.proc.wait(timeout=60)
        self.proc = None
        return rc

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=180) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw else None

    def send_mail(self, msg: Any) -> None:
        """Deliver an email.message.EmailMessage to the local SMTP server."""
        import smtplib

        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as smtp:
            smtp.send_message(msg)

    def token(self, **claims: str) -> str:
        status, body = self.request("POST", "/_local/token", claims)
        assert status == 200, body
        return str(body["token"])


@pytest.fixture()
def local_stack(tmp_path: Path):
    stack = LocalProcess(tmp_path / "data").start()
    try:
        yield stack
    finally:
        if stack.proc is not None:
            stack.stop()


@pytest.fixture()
def java_processes_for():
    """The DynamoDB Local processes serving a data dir (none may outlive `regentra local`)."""

    def find(data_dir: Path) -> list[str]:
        out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if "DynamoDBLocal" in line and str(data_dir) in line]

    return find
