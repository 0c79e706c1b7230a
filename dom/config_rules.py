"""What each setting must be: the checks :func:`dom.config.validate` runs on a loaded
:class:`~dom.config.Config` (the tables typed here; ``[detectors]`` and ``[context]`` through
their owners' parameter classes; ``[[sinks]]`` through :func:`dom.sinks.spec.sink_table`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dom.config import CCXT_RE, Config, native_venues
from dom.errors import ConfigError
from dom.sim import PRESET_NAMES  # (not dom.sim.presets: the names alone)

__all__ = ["check"]


def _need(ok: bool, key: str, what: str, value: Any) -> None:
    if not ok:
        raise ConfigError(f"{key}: {what}, not {value!r}")


def _number(cfg: Config, key: str, lo: float = 0.0, positive: bool = False) -> None:
    table, _, name = key.partition(".")
    v = getattr(getattr(cfg, table), name)
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= lo
    _need(ok and (v > 0 or not positive), key, f"must be a finite {'positive' if positive else 'non-negative'} "
          "number", v)


def check(cfg: Config, env: Mapping[str, str]) -> None:
    """What each setting of ``cfg`` must be (the first one that is not raises); ``cfg.detectors``
    and ``cfg.context`` typed by their owners' parameter classes, ``cfg.sinks`` normalized to
    full tables. Run by :func:`dom.config.validate`, which says where a bad value came from."""
    for sym, label in cfg.sectors.items():
        _need(isinstance(sym, str) and 0 < len(sym) <= 40 and not any(c.isspace() for c in sym), f"sectors.{sym}",
              "keys are symbols", sym)
        _need(isinstance(label, str) and 0 < len(label.strip()) <= 40 and label.isprintable(), f"sectors.{sym}",
              "must be a sector label (text, 1-40 characters)", label)
    f = cfg.feed
    venues = ["sim", "sim:ccxt", *native_venues()]
    if not (isinstance(f.venue, str) and (f.venue in venues or CCXT_RE.match(f.venue))):
        raise ConfigError(f"feed.venue: unknown venue {f.venue!r} (choose from: {', '.join(venues)}, "
                          "ccxt:<exchange id>)")
    ok = isinstance(f.symbols, list) and all(isinstance(s, str) and s and not any(c.isspace() for c in s)
                                             for s in f.symbols)
    _need(ok, "feed.symbols", "must be a list of symbols", f.symbols)
    _need(isinstance(f.endpoint, str) and (not f.endpoint or f.endpoint.startswith(("http://", "https://"))),
          "feed.endpoint", "the endpoint must start with http:// or https:// (empty: the venue's own)", f.endpoint)
    _need(isinstance(f.bus, str) and (not f.bus or (f.bus.startswith(("nats://", "tls://")) and len(f.bus) < 300
                                                     and f.bus.isprintable())),
          "feed.bus", "the bus must be a nats://HOST:PORT or tls://HOST:PORT URL (empty: no bus)", f.bus)
    _number(cfg, "feed.bus_wait_s", positive=True)
    _need(f.depth_ms in (100, 250, 500), "feed.depth_ms", "must be 100, 250 or 500", f.depth_ms)
    _need(isinstance(f.snapshot_limit, int) and 5 <= f.snapshot_limit <= 1000, "feed.snapshot_limit",
          "must be 5..1000", f.snapshot_limit)
    _number(cfg, "feed.stale_after_s", positive=True)
    _number(cfg, "feed.book_stale_after_s")
    for k in ("initial_s", "min_s", "max_s"):
        _number(cfg, f"reconnect.{k}", positive=k != "initial_s")
    r = cfg.reconnect
    _need(r.min_s <= r.max_s, "reconnect.min_s", f"must be at most reconnect.max_s ({r.max_s!r})", r.min_s)
    _need(cfg.sim.preset in PRESET_NAMES, "sim.preset", "must be " + ", ".join(PRESET_NAMES),
          cfg.sim.preset)
    _need(isinstance(cfg.sim.seed, int) and not isinstance(cfg.sim.seed, bool), "sim.seed", "must be an integer",
          cfg.sim.seed)
    _number(cfg, "sim.speed", positive=True)
    _number(cfg, "run.summary_every_s")
    _number(cfg, "run.flush_deadline_s")
    _need(isinstance(cfg.record.enabled, bool), "record.enabled", "must be true or false", cfg.record.enabled)
    _need(isinstance(cfg.record.dir, str), "record.dir", "must be a directory path", cfg.record.dir)
    _number(cfg, "record.keep_hours", positive=True)
    _number(cfg, "record.segment_minutes", positive=True)
    from dom.core.context.params import ContextParams
    from dom.core.detectors.params import DetectorParams

    d, c = DetectorParams.from_mapping(cfg.detectors), ContextParams.from_mapping(cfg.context)
    cfg.detectors = {k: getattr(d, k) for k in cfg.detectors}  # typed: 3 -> 3.0 where a float is
    cfg.context = {k: getattr(c, k) for k in cfg.context}
    if not isinstance(cfg.sinks, list):
        raise ConfigError("sinks: expected a list of sink specs or tables")
    for i, s in enumerate(cfg.sinks):
        if isinstance(s, str):  # a --sink spec
            cfg.origins[f"sinks[{i}]"] = ("the command line", None)
    if cfg.sinks:  # (imported only then: dom replay and dom eval have none)
        from dom.sinks.spec import sink_table

        cfg.sinks = [sink_table(s, f"sinks[{i}]", env) for i, s in enumerate(cfg.sinks)]
    else:
        cfg.sinks = []
