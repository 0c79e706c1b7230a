"""A seeded sample of a few items, the walls' P95 samples (``random.Random.sample``, identical draws).

``rng.sample(population, k)`` runs ~60 Python bytecodes for five items of a band (the sequence
test, the pool or the set of drawn indices, a ``_randbelow`` frame a draw); ``sample_few`` is the
C accelerator's ``sample_few`` where it is built: the same algorithm drawing through the same
generator's ``getrandbits``, so the items and the generator's state after it are those of
``rng.sample`` (the tests hold them against each other on many seeds and populations). Only for
an exact ``random.Random`` (whose ``sample`` draws with ``_randbelow_with_getrandbits``) and
``k`` up to 5; anything else goes to ``rng.sample``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from dom.core import accel

T = TypeVar("T")


def sample_few_py(rng: random.Random, population: Sequence[T], k: int) -> list[T]:
    """``rng.sample(population, k)``."""
    return rng.sample(population, k)


def sample_few(rng: random.Random, population: Sequence[T], k: int) -> list[T]:
    """``sample_few_py``, in C where the accelerator is built and takes the arguments (an exact
    ``random.Random``, a list or tuple, ``0 <= k <= min(5, len(population))``)."""
    native = accel.native
    if native is not None and type(rng) is random.Random:
        got = native.sample_few(rng.getrandbits, population, k)
        if got is not NotImplemented:
            return got
    return rng.sample(population, k)
