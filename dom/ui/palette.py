"""Colours from the app's theme (rebuilt when the theme changes) and compact number formatting.

Widgets draw with rich ``Style`` objects built once per theme here, never per line. Sides keep
their meaning in every theme: bids and buyers in the theme's success colour, asks and sellers in
its error colour; size shading blends them into the background by magnitude.
"""

from __future__ import annotations

import math

from rich.style import Style
from textual.color import Color

SHADES = 4  # size shading steps (0 = plain text)
HEAT = ("#0d1b3e", "#123a6b", "#13668a", "#1b9199", "#4dbb8a", "#b5d66a", "#f6d55c", "#ffffff")
"""Heatmap steps, light to heavy resting size: dark blue to white (the same in every theme)."""


def _c(name: str, v: dict[str, str], fallback: str) -> Color:
    try:
        return Color.parse(v.get(name) or fallback)
    except Exception:
        return Color.parse(fallback)


class Palette:
    def __init__(self, variables: dict[str, str] | None = None) -> None:
        v = variables or {}
        bg = _c("background", v, "#121212")
        fg = _c("foreground", v, "#e0e0e0")
        bid = _c("success", v, "#4ebf71")
        ask = _c("error", v, "#e0455f")
        warn = _c("warning", v, "#fea62b")
        accent = _c("accent", v, "#fea62b")
        primary = _c("primary", v, "#0178d4")
        self.dark = bg.brightness < 0.5
        muted = bg.blend(fg, 0.55)
        self.fg = Style(color=fg.rich_color)
        self.dim = Style(color=muted.rich_color)
        self.bold = Style(color=fg.rich_color, bold=True)
        self.head = Style(color=fg.rich_color, bold=True, underline=True)
        self.bid = Style(color=bid.rich_color)
        self.ask = Style(color=ask.rich_color)
        self.bid_bold = Style(color=bid.rich_color, bold=True)
        self.ask_bold = Style(color=ask.rich_color, bold=True)
        self.warn = Style(color=warn.rich_color, bold=True)
        self.banner = Style(color=Color.parse("#000000").rich_color, bgcolor=warn.rich_color, bold=True)
        self.profile = Style(color=accent.rich_color, bold=True)
        self.profile_bar = Style(color=primary.blend(fg, 0.25).rich_color)
        self.profile_va = Style(color=primary.blend(fg, 0.55).rich_color, bold=True)
        # The trade plan (entry, stop, targets on the ladder, the panel's targets): cyan, darker
        # on a light background so it stays readable.
        self.plan = Style(color=Color.parse("#00d7e0" if self.dark else "#007a87").rich_color, bold=True)
        self.select = Style(reverse=True)
        self.price = Style(color=fg.rich_color, bold=True)
        self.price_best = Style(color=bg.rich_color, bgcolor=fg.rich_color, bold=True)
        # Size shading: the side's colour blended into the background, heavier = stronger.
        text_on = Color.parse("#ffffff") if self.dark else Color.parse("#000000")
        self.bid_shade = [self.bid] + [
            Style(color=text_on.rich_color, bgcolor=bg.blend(bid, 0.25 + 0.6 * i / (SHADES - 1)).rich_color, bold=i == SHADES - 1)
            for i in range(SHADES)
        ]
        self.ask_shade = [self.ask] + [
            Style(color=text_on.rich_color, bgcolor=bg.blend(ask, 0.25 + 0.6 * i / (SHADES - 1)).rich_color, bold=i == SHADES - 1)
            for i in range(SHADES)
        ]
        self.kind = {
            "wall": Style(color=_c("secondary", v, "#00b4d8").blend(fg, 0.3).rich_color, bold=True),
            "iceberg": Style(color=Color.parse("#c678dd").rich_color, bold=True),
            "absorption": Style(color=warn.rich_color, bold=True),
            "spoof": Style(color=Color.parse("#ff8c42").rich_color, bold=True),
            "burst": Style(color=Color.parse("#ff5fd2").rich_color, bold=True),
            "sweep": Style(color=Color.parse("#4dd0e1").rich_color, bold=True),
        }
        heat = [Color.parse(h) for h in HEAT]
        self.heat = heat
        # (left shade, right shade) -> style for a half-block cell; shade 0 = the background.
        cols = [bg] + heat
        self.heat_cell = [[Style(color=cols[a].rich_color, bgcolor=cols[b].rich_color) for b in range(len(cols))]
                          for a in range(len(cols))]
        self.heat_buy = [Style(color=Color.parse("#39ff7a").rich_color, bgcolor=c.rich_color, bold=True) for c in cols]
        self.heat_sell = [Style(color=Color.parse("#ff4d6d").rich_color, bgcolor=c.rich_color, bold=True) for c in cols]
        self.heat_gap = Style(color=muted.rich_color)
        self.status = Style(color=fg.rich_color, bold=True)  # drawn on the status bar's own panel
        # Every other style carries the theme background: lines are complete as built, so the
        # widgets need not lay their background under each one (a cost per line and segment).
        on_bg = Style(bgcolor=bg.rich_color)
        self.background = on_bg
        for name, value in list(vars(self).items()):
            if name in ("status", "background"):
                continue
            if isinstance(value, Style) and value.bgcolor is None:
                setattr(self, name, on_bg + value)
            elif isinstance(value, list) and value and isinstance(value[0], Style):
                setattr(self, name, [on_bg + x if x.bgcolor is None else x for x in value])
            elif isinstance(value, dict):
                setattr(self, name, {k: on_bg + x if x.bgcolor is None else x for k, x in value.items()})
        self.truecolor = all(_truecolor(x) for x in _styles(vars(self)))
        """Every style here is RGB (no terminal ANSI colour, no dim): Textual's ANSI-to-truecolor
        line filter would give each line back unchanged (see ``LineWidget.get_line_filters``)."""


def _styles(v: object):
    if isinstance(v, Style):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _styles(x)
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _styles(x)


def _truecolor(s: Style) -> bool:
    return ((s.color is None or s.color.triplet is not None) and (s.bgcolor is None or s.bgcolor.triplet is not None)
            and not s.dim)


KIND_LETTER = {"wall": "W", "iceberg": "I", "absorption": "A", "spoof": "S", "burst": "B", "sweep": "X"}
SUFFIX = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact(value: float, width: int, exact: str = "") -> str:
    """``exact`` when it fits in ``width``, else the value in 3 significant digits with a k/M/B
    suffix, or fewer decimals. Display only: exact numbers stay in the evidence and the JSON."""
    if exact and len(exact) <= width:
        return exact
    a = abs(value)
    for div, s in SUFFIX:
        if a >= div:
            v = value / div
            for digits in (2, 1, 0):
                text = f"{v:.{digits}f}{s}"
                if len(text) <= width and (digits == 0 or abs(v) < 10 ** (3 - digits)):
                    return text
            return f"{v:.0f}{s}"
    for digits in (3, 2, 1, 0):
        text = f"{value:.{digits}f}"
        if len(text) <= width:
            return text
    return f"{value:.0f}"


def round_sig(n: int, digits: int = 3) -> int:
    """``n`` rounded to ``digits`` significant digits (an integer: lots stay lots)."""
    if n == 0:
        return 0
    drop = max(0, len(str(abs(n))) - digits)
    return round(n, -drop) if drop else n


def fmt_sig(value: float, width: int, digits: int = 3) -> str:
    """A value already rounded to ``digits`` significant digits, trailing zeros kept (2.0, 12,
    0.87, 0.012 for 2 digits), in ``width``; k/M/B above a thousand."""
    a = abs(value)
    for div, s in SUFFIX:
        if a >= div:
            return compact(value, width)
    if a == 0 or a >= 10 ** (digits - 1):
        text = f"{value:.0f}"
    else:
        text = f"{value:.{digits - 1 - int(math.floor(math.log10(a)))}f}"
    return text if len(text) <= width else compact(value, width)


def fmt_age(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    return f"{s // 3600}h"
