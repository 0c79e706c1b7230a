"""Names on the bus, in one place.

    dom.alerts.<venue>.<symbol>.<kind>   Alert JSON v1, in the JetStream stream DOM_ALERTS
    dom.<venue>.<symbol>.<event>         a collector's events: book, trades, status, context
                                         (dom.bus.codec), plain NATS (no stream: a gap resyncs)
    dom.hb.<venue>                       collectors' heartbeats (shard, symbols), every 0.5 s
    key-value bucket dom_books           <venue>.<symbol> -> the latest whole book (late joiners)

(A venue named ``alerts`` or ``hb`` would share a prefix; none is.)

A token is the venue's or symbol's name with every character that NATS subjects do not take
(``.``, ``*``, ``>``, blanks, ``:`` ...) written ``=XX`` (hex): ``BTC/USDT:USDT`` ->
``BTC/USDT=3AUSDT``; :func:`untoken` reverses it.
"""

from __future__ import annotations

import re

ALERT_STREAM = "DOM_ALERTS"
BOOK_BUCKET = "dom_books"

_BAD = re.compile(r"[^-/_a-zA-Z0-9]")


def token(name: str) -> str:
    return _BAD.sub(lambda m: "".join(f"={b:02X}" for b in m.group(0).encode()), name) or "=00"


def untoken(tok: str) -> str:
    return re.sub(r"(?:=[0-9A-F]{2})+", lambda m: bytes.fromhex(m.group(0).replace("=", "")).decode(
        "utf-8", "replace"), tok)


def alert_subject(venue: str, symbol: str, kind: str) -> str:
    return f"dom.alerts.{token(venue)}.{token(symbol)}.{token(kind)}"


def alert_msg_id(doc: dict) -> str:
    """The JetStream message id of one alert event: an alert's id names the alert through its
    new/update/end life, so its state and time make each event's id (a retry repeats it, and the
    stream drops the repeat)."""
    return f"{doc.get('id')}|{doc.get('state')}|{doc.get('ts_ns')}"


def event_subject(venue: str, symbol: str, kind: str) -> str:
    return f"dom.{token(venue)}.{token(symbol)}.{kind}"


def events_wildcard(venue: str) -> str:
    return f"dom.{token(venue)}.*.*"


def heartbeat_subject(venue: str) -> str:
    return f"dom.hb.{token(venue)}"


def book_key(venue: str, symbol: str) -> str:
    return f"{token(venue)}.{token(symbol)}"
