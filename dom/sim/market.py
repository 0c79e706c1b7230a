"""The built-in market: several symbols on one virtual clock, published in Binance's wire format
(encoded by the venue's codec, ``dom.venues.binance_usdm.codec``).

``Market.advance()`` moves the clock one step (50 ms) and returns the messages the venue would
publish in it (``dom.sim.publish``): depth diffs netted per push interval (``U``/``u``/``pu``), aggTrades
(fills of one taker order at one price), bookTickers and markPrice updates, each as ``Msg(endpoint,
stream, raw, t_ns)``. The local exchange server sends them over websockets; ``Market.frames(seconds)``
runs headless as fast as it can, adding per-stream latency and skew, for evaluation.

Only what is published leaves here; ``published_book`` is the book a correct client holds after
the last published depth event, which is what tests compare with.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from typing import Iterator

from dom.core.units import Instrument
from dom.sim.agent import SEC, Agent
from dom.sim.agents import KINDS
from dom.sim.aggregation import WindowAggregator
from dom.sim.decoys import DECOYS
from dom.sim.flow import Flow
from dom.sim.matching import ASK, BID, OWNER, MatchingBook
from dom.sim.news import NewsBurstAgent, SweepAgent, SweepLabeller
from dom.sim.presets import OPTIONS, SymbolSpec, preset
from dom.sim.publish import Msg, account_fills, publish_mark, push_depth
from dom.sim.randomize import MarketDraw, SizeLaw
from dom.sim.sectors import SectorFactors
from dom.sim.touch import TouchHistory
from dom.sim.volatility import RangeHistory
from dom.venues.binance_usdm import frames

STEP_NS = 50_000_000
MIN_INJECT_TICKS = 64  # no agent starts while the bid is this near zero (a symbol that ran down)
STEERING = frozenset({"iceberg", "spoof", "absorption", "burst"})
"""Agents that steer the flow or the price: one at a time per symbol."""
DEFAULT_START_NS = 1_767_225_600 * SEC  # 2026-01-01T00:00:00Z: headless runs are reproducible


class SymbolSim:
    def __init__(self, spec: SymbolSpec, rng: random.Random, depth_ms: int, start_ns: int, uid0: int,
                 draw: MarketDraw | None = None) -> None:
        self.spec = spec
        self.draw = draw  # a randomized market's parameters (dom/sim/randomize.py), else None
        self.agg = WindowAggregator(draw.agg_window_ms) if draw is not None and draw.agg_window_ms else None
        self.inst = Instrument(spec.symbol, spec.tick_size, spec.lot_size, base=spec.base, sector=spec.sector)
        self.rng = rng
        self.depth_ms = depth_ms
        self.depth_ns = depth_ms * 1_000_000
        self.book = MatchingBook(uid0)
        self.book.on_filled = self._on_shown_filled
        start_px = self.inst.px(spec.price)
        self.flow = Flow(spec, rng, start_px, None if draw is None else SizeLaw(draw))
        if self.flow.quoting is not None:
            self.book.on_cleared = self.flow.quoting.cleared
        self.agents: list[Agent] = []
        self.labels: list[dict] = []
        self.now = start_ns
        self.last_u = 0  # last published depth update id
        self.pub: tuple[dict[int, int], dict[int, int]] = ({}, {})
        # (maker side, price) -> volume traded there since the last depth push, for the prices an
        # agent watches (an iceberg's oracle: what a push shows at its level, iceberg_agent.py)
        self.traded_at: dict[tuple[int, int], int] = {}
        self.agg_id = 1
        self.fill_id = 1
        self.last_ticker: tuple | None = None
        self.volume_24h = 0  # lots traded (simulated session)
        self.quote_volume = 0.0
        self.trades_n = 0
        self.open_interest = spec.open_interest_lots
        self.funding_rate = 0.0001
        self.last_trade_px = start_px
        self.open_px = start_px
        self.sweeps = SweepLabeller(self)
        # A randomized market's median touch size (the absorption oracle's threshold, touch.py)
        self.touches = TouchHistory() if draw is not None else None
        # The mid each step of the last second, and its range's history (what a volatility spike
        # is here: the risk-off-pull decoy, volatility.py)
        self.mids: deque[float] = deque(maxlen=SEC // STEP_NS)
        self.ranges = RangeHistory()
        self.news_rng = random.Random(uid0)  # news and sweep orders draw here only (the market reseeds it)
        self._seed_book(start_px)

    def _seed_book(self, mid: int) -> None:
        f = self.flow
        for side in (BID, ASK):
            for i in range(1, 61):
                px = mid - i if side == BID else mid + i
                hump = 1 + 2.5 * math.exp(-((i - 4) ** 2) / 18.0)
                for _ in range(max(1, int(hump * 1.5))):
                    f.add(self.book, side, px, f.limit_size(), self.now)
        f.n_ref = len(f.oids)
        self.book.take_dirty()
        self.book.take_fills()
        self.last_u = self.book.update_id
        self.pub = (dict(self.book.totals[BID]), dict(self.book.totals[ASK]))

    def _on_shown_filled(self, order: list) -> None:
        order[OWNER].on_shown_filled(order, self.now)

    def mid(self) -> float | None:
        b, a = self.book.best(BID), self.book.best(ASK)
        return None if b is None or a is None else (a + b) / 2


class Market:
    """The whole built-in market. Deterministic for a given preset, seed and options."""

    def __init__(
        self,
        preset_name: str = "mixed",
        seed: int = 1,
        depth_ms: int = 100,
        injections: bool = True,
        symbols: int | None = None,
        decoys: bool = True,
        start_ns: int = DEFAULT_START_NS,
        injection_rate: float = 1 / 30.0,
        tickers: bool = True,
        specs: list[SymbolSpec] | None = None,
        news: bool | None = None,
        sector_factors: bool | None = None,
        news_every_s: float = 1200.0,
        sweep_every_s: float = 300.0,
        draw: MarketDraw | None = None,
    ) -> None:
        """``draw``: a randomized market (dom/sim/randomize.py); it sets the symbols, the depth
        interval and the size laws (``specs``, ``preset_name`` and ``depth_ms`` are then ignored)."""
        if draw is not None:
            specs, depth_ms = draw.specs(), draw.depth_ms
        if depth_ms not in (100, 250, 500):
            raise ValueError("depth_ms must be 100, 250 or 500")
        self.rng = random.Random(seed)
        self.seed = seed
        self.draw = draw
        self.depth_ms = depth_ms
        self.injections = injections
        self.decoys = decoys
        self.injection_rate = injection_rate
        self.tickers = tickers
        self.raw_trades = False  # the server turns it on when a client subscribes to @trade
        self.now = start_ns
        self.start_ns = start_ns
        self.steps = 0
        given_specs = specs
        specs = specs or preset(preset_name, symbols)
        self.syms: dict[str, SymbolSim] = {}
        for i, spec in enumerate(specs):
            rng = random.Random(self.rng.getrandbits(64))
            self.syms[spec.symbol] = SymbolSim(spec, rng, depth_ms, start_ns, 1_000_000_000 * (i + 1), draw)
            # From the seed, not from ``self.rng``: drawing there would change every preset's market.
            self.syms[spec.symbol].news_rng = random.Random(seed * 1_000_003 + 7_919 * i + 17)
        self.factor_vol = 3.0  # common factor, ticks of the major per sqrt(s) (5e-5 of price)
        self.factor_active = False  # market-wide volatility regime: x2 for ~2 min in ~10
        self.factor_drift = 0.0  # ticks of the major per s, while a scripted move lasts
        self.factor_drift_until = 0
        opts = OPTIONS.get(preset_name, {}) if given_specs is None else {}
        # News bursts and sweep orders (labelled; each symbol one every ``news_every_s`` /
        # ``sweep_every_s`` of market time on average) and sector factors with rotation episodes:
        # the preset's choice unless given. Their draws come from their own generators, so turning
        # them off leaves a preset's market as it was.
        self.news = opts.get("news", False) if news is None else news
        self.news_every_s = news_every_s
        self.sweep_every_s = sweep_every_s
        want_sectors = opts.get("sector_factors", False) if sector_factors is None else sector_factors
        self.sectors = SectorFactors([sim.spec.sector for sim in self.syms.values()][1:],
                                     random.Random(seed * 1_000_003 + 11)) if want_sectors else None
        self._depth_every = depth_ms * 1_000_000 // STEP_NS
        self._label_n = 0
        self.labels: list[dict] = []

    @property
    def instruments(self) -> dict[str, Instrument]:
        return {s: sim.inst for s, sim in self.syms.items()}

    # ------------------------------------------------------------------------------- clock
    def advance(self) -> list[Msg]:
        self.steps += 1
        self.now += STEP_NS
        t = self.now
        dt = STEP_NS / SEC
        if self.rng.random() < dt / (120.0 if self.factor_active else 600.0):
            self.factor_active = not self.factor_active
        factor = self.rng.gauss(0, self.factor_vol * (2.0 if self.factor_active else 1.0) * math.sqrt(dt))
        if t < self.factor_drift_until:
            factor += self.factor_drift * dt
        out: list[Msg] = []
        publish_depth = self.steps % self._depth_every == 0
        sectors = self.sectors
        if sectors is not None:
            sectors.step(t, dt)
            if sectors.labels:
                self.labels += sectors.labels
                sectors.labels = []
        for sim in self.syms.values():
            sim.now = t
            # The factor is in units of the major's ticks; scale to each symbol's own price.
            move = factor * self._factor_scale(sim)
            if sectors is not None and sim.spec.sector in sectors.move:
                # The sector's own move, relative: not scaled by the symbol's beta to the market.
                move += sectors.move[sim.spec.sector] * sim.flow.fair / max(sim.spec.beta, 1e-9)
            sim.flow.step(sim.book, t, dt, move)
            for ag in sim.agents:
                ag.step(t)
            account_fills(sim, out, t, self.raw_trades)
            sim.sweeps.expire(t)
            self._retire_agents(sim)
            if self.injections or self.decoys:
                self._maybe_inject(sim, t)
            if self.news and self.injections:
                self._maybe_news(sim, t)
            if publish_depth:
                push_depth(sim, out, t, self.depth_ms, self.tickers)
            if self.decoys:  # (the risk-off decoy is the only reader of ``ranges``)
                mid = sim.mid()
                if mid is not None:
                    sim.mids.append(mid)
            if self.steps % 20 == 0:
                publish_mark(sim, out, t)
                if sim.touches is not None:
                    sim.touches.sample(sim.book)  # once a second (STEP_NS 50 ms)
                if self.decoys:
                    sim.ranges.sample(sim.mids)
        return out

    def move_factor(self, pct: float, seconds: float) -> None:
        """Script a market-wide move: the common factor drifts ``pct`` % of the major's price over
        ``seconds`` (e.g. ``move_factor(-2.5, 600)``, a BTC-led drop every symbol follows by its beta)."""
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        major = next(iter(self.syms.values()))
        self.factor_drift = major.flow.start_px * pct / 100.0 / seconds
        self.factor_drift_until = self.now + int(seconds * SEC)

    def _factor_scale(self, sim: SymbolSim) -> float:
        major = next(iter(self.syms.values()))
        # Same relative move for beta 1: convert major ticks -> this symbol's ticks.
        return sim.flow.start_px / major.flow.start_px

    def _maybe_inject(self, sim: SymbolSim, t: int) -> None:
        bid = sim.book.best(BID)
        if len(sim.agents) >= 2 or bid is None or sim.book.best(ASK) is None:
            return
        if bid <= MIN_INJECT_TICKS:  # agents rest orders up to ~45 ticks under the bid
            return
        if sim.rng.random() >= self.injection_rate * STEP_NS / SEC:
            return
        running = {a.kind for a in sim.agents} | {getattr(a, "decoy", "") for a in sim.agents}
        kinds = [k for k in KINDS if self.injections and k not in running]
        if running & STEERING:
            kinds = [k for k in kinds if k == "wall"]  # one price-steering agent at a time
        kinds += [d for d in DECOYS if self.decoys and d not in running]
        if not kinds:
            return
        kind = sim.rng.choice(kinds)
        self._label_n += 1
        cls = KINDS.get(kind) or DECOYS[kind]
        sim.agents.append(cls(sim, sim.rng, t, f"{sim.spec.symbol}-{kind}-{self._label_n}"))

    def _maybe_news(self, sim: SymbolSim, t: int) -> None:
        rng = sim.news_rng
        x = rng.random()
        dt = STEP_NS / SEC
        if x < dt / self.news_every_s:
            # Not in the first 150 s: a burst is unusual against a history there is not yet.
            if t - self.start_ns < 150 * SEC or sim.book.best(BID) is None or sim.book.best(ASK) is None or {a.kind for a in sim.agents} & STEERING:
                return
            self._label_n += 1
            sim.agents.append(NewsBurstAgent(sim, rng, t, f"{sim.spec.symbol}-burst-{self._label_n}"))
        elif x < dt / self.news_every_s + dt / self.sweep_every_s and sim.book.best(BID) is not None \
                and sim.book.best(ASK) is not None:
            sim.agents.append(SweepAgent(sim, rng, t, ""))  # its fills are published next step

    def _retire_agents(self, sim: SymbolSim) -> None:
        if sim.sweeps.labels:
            sim.labels += sim.sweeps.labels
            self.labels += sim.sweeps.labels
            sim.sweeps.labels = []
        if any(a.done for a in sim.agents):
            for a in sim.agents:
                if a.done and a.labelled:
                    lab = a.label()
                    sim.labels.append(lab)
                    self.labels.append(lab)
            sim.agents = [a for a in sim.agents if not a.done]

    def close_labels(self) -> None:
        """End every open injection now (end of a run) so its label is written."""
        for sim in self.syms.values():
            for a in sim.agents:
                a.finish(self.now, outcome="open_at_end")
            sim.sweeps.close_all()
            self._retire_agents(sim)
        if self.sectors is not None:
            self.sectors.close(self.now)
            self.labels += self.sectors.labels
            self.sectors.labels = []

    def rotate(self, sector: str, pct_per_h: float, seconds: float) -> dict:
        """Script a rotation episode (the market must have sector factors)."""
        if self.sectors is None:
            raise ValueError("this market has no sector factors (preset 'sectors' or sector_factors=True)")
        return self.sectors.rotate(sector, pct_per_h, seconds, self.now)

    # --------------------------------------------------------------------------- publishing
    # ---------------------------------------------------------------------------- REST views
    def snapshot_body(self, symbol: str, limit: int = 1000, update_id: int | None = None) -> bytes:
        """REST depth as the venue serves it: the current book at the current update id (or at
        ``update_id``, a fault: a snapshot that claims to be older than it is)."""
        sim = self.syms[symbol]
        u, bids, asks = sim.book.snapshot(limit)
        u = u if update_id is None else update_id
        inst = sim.inst
        ms = self.now // 1_000_000
        return frames.encode_snapshot(u, ms, [[inst.px_str(p), inst.qty_str(q)] for p, q in bids],
                                    [[inst.px_str(p), inst.qty_str(q)] for p, q in asks])

    def published_book(self, symbol: str) -> tuple[dict[int, int], dict[int, int], int]:
        sim = self.syms[symbol]
        return dict(sim.pub[0]), dict(sim.pub[1]), sim.last_u

    # ------------------------------------------------------------------------------ headless
    def frames(self, seconds: float, latency_ms: float = 20.0, skew_ms: float = 0.0) -> Iterator[tuple[int, Msg]]:
        """Run ``seconds`` of market as fast as possible; yield ``(recv_ns, msg)`` in receive
        order, each stream delayed by lognormal latency (median ``latency_ms``) and the
        /market endpoint by ``skew_ms`` more. Deterministic for a given seed."""
        lat = random.Random(self.seed * 7919 + 1)
        heap: list[tuple[int, int, Msg]] = []
        seq = 0
        end = self.now + int(seconds * SEC)
        last_recv = {"public": 0, "market": 0}
        mu = math.log(max(latency_ms, 0.001) * 1e6)
        while self.now < end:
            for m in self.advance():
                d = int(lat.lognormvariate(mu, 0.6)) if latency_ms > 0 else 0
                if m.endpoint == "market":
                    d += int(skew_ms * 1e6)
                # One TCP stream per endpoint: frames on it never overtake each other.
                r = max(m.t_ns + d, last_recv[m.endpoint])
                last_recv[m.endpoint] = r
                heapq.heappush(heap, (r, seq, m))
                seq += 1
            while heap and heap[0][0] <= self.now:
                r, _, m = heapq.heappop(heap)
                yield r, m
        while heap:
            r, _, m = heapq.heappop(heap)
            yield r, m
