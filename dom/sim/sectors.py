"""Sector factors and rotation episodes in the built-in market (issue #16).

Each sector's symbols share a factor of their own besides the market's: a random walk with
``vol`` (fraction of price per sqrt(s)), plus, during a *rotation episode*, a drift of 3-8 % an
hour for 20-60 minutes: the sector is in favour (or out of it) against the rest. Episodes start
at random (one every ~30 min of market time) or when scripted (:meth:`SectorFactors.rotate`),
and each writes a label (kind ``rotation``): the sector, the drift, start and end, so a test
or an evaluation can check that the scanner ranks the sector where it should.
"""

from __future__ import annotations

import math
import random

SEC = 1_000_000_000


class SectorFactors:
    def __init__(self, sectors: list[str], rng: random.Random, vol: float = 1.5e-4, episode_every_s: float = 1800.0,
                 random_episodes: bool = True) -> None:
        self.rng = rng
        self.vol = vol
        self.every = episode_every_s
        self.random_episodes = random_episodes
        self.sectors = sorted(set(s for s in sectors if s))
        self.move: dict[str, float] = {s: 0.0 for s in self.sectors}  # this step's relative move
        self.drift: dict[str, tuple[float, int, dict]] = {}  # sector -> (per second, until, label)
        self.labels: list[dict] = []
        self.n = 0

    def rotate(self, sector: str, pct_per_h: float, seconds: float, now: int) -> dict:
        """Script an episode: ``sector`` drifts ``pct_per_h`` % an hour for ``seconds``."""
        if sector not in self.move:
            raise ValueError(f"no sector {sector!r} (the market has {', '.join(self.sectors)})")
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        self.n += 1
        until = now + int(seconds * SEC)
        label = {"id": f"rotation-{self.n}", "kind": "rotation", "symbol": "", "side": "", "price": "",
                 "t_start_ns": now, "t_end_ns": until,
                 "params": {"sector": sector, "drift_pct_per_h": round(pct_per_h, 3)}, "detectable_from_ns": now}
        self.drift[sector] = (pct_per_h / 100 / 3600, until, label)
        return label

    def step(self, now: int, dt: float) -> None:
        rng = self.rng
        if self.random_episodes and self.sectors and rng.random() < dt / self.every:
            free = [s for s in self.sectors if s not in self.drift]
            if free:
                s = rng.choice(free)
                sign = 1 if rng.random() < 0.6 else -1
                self.rotate(s, sign * rng.uniform(3, 8), rng.uniform(1200, 3600), now)
        sd = self.vol * math.sqrt(dt)
        for s in self.sectors:
            m = rng.gauss(0, sd)
            d = self.drift.get(s)
            if d is not None:
                if now >= d[1]:
                    self.labels.append(d[2])
                    del self.drift[s]
                else:
                    m += d[0] * dt
            self.move[s] = m

    def close(self, now: int) -> None:
        for s, (_, _, label) in list(self.drift.items()):
            label["t_end_ns"] = now
            label["params"]["outcome"] = "open_at_end"
            self.labels.append(label)
        self.drift.clear()
