"""``LineStrip``: a Textual ``Strip`` whose caches are made when first used.

Textual's ``Strip.__init__`` makes seven ``FIFOCache`` objects for every strip (crop, divide,
style, filter, line length, crop-extend and offsets results), ~5 us of a repainted line's cost
and fourteen objects the frame's young collection then walks. Most of the strips dom builds are
painted once and replaced at the next change: they use one or two of those caches, or none. A
``LineStrip`` is a ``Strip`` in every way, except that a cache is made at its first read (the
slot is unset until then, so Python asks ``__getattr__``, which makes it with Textual's size).

Which slots are caches, their sizes and the other slots' initial values are read from a strip
Textual itself makes, at import: a Textual that adds a cache or another attribute is followed;
one whose ``Strip`` is no longer laid out this way (no ``__slots__``, an initial value that is
not a constant) gets ``Strip`` itself (``LineStrip is Strip``), built as Textual builds it.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip


def _layout() -> tuple[dict[str, int], dict[str, object]] | None:
    """(cache slot -> maxsize, other slot -> initial value) of a strip Textual makes, or None."""
    slots = getattr(Strip, "__slots__", None)
    if not isinstance(slots, (tuple, list)) or "_segments" not in slots or "_cell_length" not in slots:
        return None
    sample = Strip([], 0)
    caches: dict[str, int] = {}
    plain: dict[str, object] = {}
    for name in slots:
        if name in ("_segments", "_cell_length") or not hasattr(sample, name):
            continue  # (a slot Textual leaves unset stays unset here too)
        value = getattr(sample, name)
        if type(value) is FIFOCache:
            caches[name] = value._maxsize
        elif value is None or type(value) in (int, bool, str):
            plain[name] = value
        else:
            return None
    return caches, plain


_LAYOUT = _layout()

if _LAYOUT is None:  # pragma: no cover - a Textual whose Strip is laid out otherwise
    LineStrip = Strip
else:
    _CACHES, _PLAIN = _LAYOUT
    _PLAIN_ITEMS = tuple(_PLAIN.items())

    class LineStrip(Strip):  # type: ignore[no-redef]
        __slots__ = ()

        def __init__(self, segments: Iterable[Segment], cell_length: int | None = None) -> None:
            self._segments = list(segments)
            self._cell_length = cell_length
            for name, value in _PLAIN_ITEMS:
                setattr(self, name, value)

        def __getattr__(self, name: str) -> FIFOCache:
            # (called only for an unset slot: a cache at its first read)
            size = _CACHES.get(name)
            if size is None:
                raise AttributeError(name)
            cache: FIFOCache = FIFOCache(size)
            setattr(self, name, cache)
            return cache
