"""The context and risk panel in the side column (line API), and the journal prompt.

Market: funding and the countdown to the next funding, mark/index premium, open interest and its
change, 24 h change and volume, correlation and beta against the reference on 1 m and 5 m
returns, the reference's move and its weakness warning. Risk: equity, risk %, leverage, entry
and stop (set from the ladder's cursor with ``e`` / ``t``), contracts, notional, margin, loss at
the stop, estimated liquidation, the walk of the size through the book, TP1 / TP2 and the
break-even move, then every warning.

The plan is evaluated (and its ladder marks published) at most every ``REFRESH_NS`` of market
time, and at once when the plan, the risk settings or the symbol change. Lines are styled by a
palette name (``"head"``, ``"fg"``, ...): the theme's colours, as in the other widgets.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from dom.core.context.desk import PlanView, num
from dom.core.context.liquidity import human
from dom.core.profile import value_area
from dom.core.types import AlertKind, BookSide
from dom.runtime.view import UiModel
from dom.ui.strips import LineStrip
from dom.ui.widgets.lines import LineWidget

# Palette styles by role (dom/ui/palette.py).
HEAD, TEXT, DIM, GOOD, BAD, TP, WARN = "head", "fg", "dim", "bid", "ask", "plan", "banner"
HEIGHT = 17  # a border and 16 lines: a full plan with three warnings
REFRESH_NS = 250_000_000
LINE = 43  # the lines are written to fit in this many cells (the side column makes room)


def _countdown(ns: int) -> str:
    s = max(0, ns // 1_000_000_000)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def _money(x) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.2f}"


def wrap(text: str, width: int) -> list[str]:
    """Cut a panel line at spaces to ``width``; continuation lines are indented."""
    lead = len(text) - len(text.lstrip(" "))
    if len(text) > width:  # first, single spaces between the figures
        squeezed = " " * lead + " ".join(text.split())
        if len(squeezed) <= width:
            return [squeezed]
    out, line = [], " " * lead
    for word in text[lead:].split(" "):
        cand = f"{line} {word}" if line.strip() else line + word
        if len(cand) > width and line.strip():
            out.append(line)
            line = "   " + word
        else:
            line = cand
    out.append(line)
    return out


class ContextPanel(LineWidget):
    DEFAULT_CSS = f"ContextPanel {{ height: {HEIGHT}; }}"

    def __init__(self, model: UiModel, **kw) -> None:
        super().__init__(**kw)
        self.model = model
        self.symbol = ""
        self.view: PlanView | None = None
        self._text: list[tuple[str, str]] = []
        self._wrapped: tuple = (None, 0, 0, [])  # (the text, width, height, its lines as shown)
        self._key: tuple = ()
        self._at = 0
        self._profile: tuple[tuple, object] = ((), None)

    def prepare(self) -> None:
        """This frame's lines: the plan re-evaluated when it changed or ``REFRESH_NS`` passed."""
        m = self.model
        st = m.engine.symbols.get(self.symbol) if m.engine is not None else None
        now = st.stats.last_exchange_ns if st is not None else 0
        d = m.desk
        plan = d.plans.get(self.symbol)
        key = (self.symbol, st is not None, plan.entry_px if plan else None, plan.stop_px if plan else None,
               d.equity, d.risk_pct, d.leverage)
        if key != self._key or now - self._at >= REFRESH_NS or now < self._at:
            self._key, self._at = key, now
            self._text = self.lines()
        if not self.display:
            return
        width, height = self.size
        kept, w, h, rows = self._wrapped
        if kept is not self._text or w != width or h != height:  # wrapped again only when either changed
            rows = [(part, style) for text, style in self._text for part in wrap(text, width)][:height]
            self._wrapped = (self._text, width, height, rows)
        p = self.palette
        self.publish(rows, lambda i: LineStrip([Segment(rows[i][0].ljust(width)[:width], getattr(p, rows[i][1]))]))

    def _value_area(self):
        """The session's volume profile (recomputed only when a trade printed)."""
        flow = self.model.flows.get(self.symbol)
        if flow is None or not flow.session:
            return None
        key = (self.symbol, flow.trades)
        if key != self._profile[0]:
            self._profile = (key, value_area(flow.session))
        return self._profile[1]

    # ------------------------------------------------------------------------------ model
    def evaluate(self) -> PlanView | None:
        """Recompute the plan of the shown symbol; publish its ladder marks."""
        m = self.model
        eng = m.engine
        if eng is None or self.symbol not in eng.symbols:
            self.view = None
            return None
        st = eng[self.symbol]
        profile = self._value_area()
        walls: dict[BookSide, list[int]] = {BookSide.BID: [], BookSide.ASK: []}
        for a in m.live_alerts.values():
            if a.symbol == self.symbol and a.kind is AlertKind.WALL:
                walls[a.side].append(a.px_ticks)
        self.view = m.desk.evaluate(st, m.context.symbols.get(self.symbol), profile, walls)
        m.plan_marks[self.symbol] = m.desk.marks(self.view)
        return self.view

    def lines(self) -> list[tuple[str, str]]:
        """The panel's lines (text, palette style name), before wrapping to the width."""
        m = self.model
        eng = m.engine
        if eng is None or self.symbol not in eng.symbols:
            return [(" Context", HEAD), (" waiting for the market...", DIM)]
        st = eng[self.symbol]
        inst = st.instrument
        px, q = inst.px_str, inst.qty_str
        view = self.evaluate()
        assert view is not None
        ctx = m.context.symbols.get(self.symbol)
        out: list[tuple[str, str]] = [(f" Context {self.symbol}", HEAD)]
        now = max(st.stats.last_exchange_ns, st.mark.ts_exchange_ns if st.mark else 0, ctx.last_ns if ctx else 0)
        if st.mark is not None:
            mk = st.mark
            rate = mk.funding_rate_e8 / 1e6
            prem = (mk.mark_px_ticks / mk.index_px_ticks - 1) * 100 if mk.index_px_ticks else 0.0
            out.append((f" funding {rate:+.4f}% in {_countdown(mk.next_funding_ns - now)}  prem {prem:+.3f}%",
                        BAD if rate > 0.05 or rate < -0.05 else TEXT))
        else:
            out.append((" funding -", DIM))
        oi = ctx.open_interest if ctx else None
        oi_text = " OI -"
        if oi is not None:
            ch = ctx.oi_change(m.context.oi_window_s)
            oi_text = f" OI {human(inst.qty.to_decimal(oi))}"
            if ch is not None:
                oi_text += f" ({ch[0]:+.2f}% {max(1, ch[1] // 60)}m)"
        t = ctx.ticker if ctx else None
        vol_text = f"  24h {t.change_pct:+.2f}% vol {human(t.quote_volume)}" if t and t.change_pct is not None else ""
        if len(oi_text + vol_text) <= LINE:
            out.append((oi_text + vol_text, TEXT))
        else:
            out += [(oi_text, TEXT)] + ([(" " + vol_text.lstrip(), TEXT)] if vol_text else [])
        out.append(self._correlation_line())
        out.append(self._reference_line())
        d = m.desk
        out.append((f" Risk  equity {num(d.equity)}  risk {num(d.risk_pct)}%  lev {num(d.leverage)}x", HEAD))
        if view.entry_px is not None or view.stop_px is not None:
            e = px(view.entry_px) if view.entry_px is not None else "-"
            s = px(view.stop_px) if view.stop_px is not None else "-"
            dist = f" ({abs(view.entry_px - view.stop_px)} t)" if view.entry_px is not None and view.stop_px is not None else ""
            out.append((f" {view.side.upper() or 'PLAN'} entry {e}  stop {s}{dist}", GOOD if view.side == "long" else BAD if view.side == "short" else TEXT))
        if view.sizing is not None:
            z = view.sizing
            out.append((f" size {q(view.lots)}  notional {_money(z.notional)}  margin {_money(z.margin)}", TEXT))
            out.append((f" loss at stop {_money(z.loss_at_stop)} ({z.loss_pct_of_equity:.2f}% eq)  liq ~"
                        f"{z.liquidation_price.quantize(inst.price.to_decimal(1))}", BAD if z.stop_beyond_liquidation else TEXT))
        if view.walk is not None and view.walk.filled_lots:
            w = view.walk
            avg = float(w.avg_px) * inst.price.to_float(1)
            out.append((f" walk avg {avg:.{inst.price.scale + 2}f} slip {float(w.slippage_ticks):.1f} t "
                        f"{view.slippage_bps:.1f} bps {w.levels} lvl", TEXT))
        if view.exits is not None:
            x = view.exits
            for name, tp in (("TP1", x.tp1), ("TP2", x.tp2)):
                if tp is not None:
                    out.append((f" {name} {px(tp.px)} {tp.source} {q(tp.lots)} (+{_money(tp.profit)}, "
                                f"{float(tp.r):.1f}R)", TP))
            if x.tp2 is not None:
                out.append((f" BE after TP1: stop -> {px(x.entry_px)} +{_money(x.locked_after_tp1)} locked", DIM))
        if view.note:
            out.append((f" {view.note}", DIM))
        for w in view.warnings:
            out.append((f" ! {w}", WARN))
        poller = getattr(m.stats, "poller", None)
        if poller is not None and poller.stats.backoff_s and poller.stats.last_error:
            out.append((f" context: {poller.stats.last_error}", DIM))
        return out

    def _correlation_line(self) -> tuple[str, str]:
        mc = self.model.context
        ref = mc.reference
        if self.symbol == ref:
            return (f" reference for correlation ({ref})", DIM)
        parts = []
        for bar_s, name in ((60, "1m"), (300, "5m")):
            cb = mc.correlation(self.symbol, bar_s)
            if cb is None:
                parts.append(f"{name} n/a ({mc.bars(self.symbol, bar_s)}/6 bars)")
            else:
                parts.append(f"{name} r {cb[0]:+.2f} b {cb[1]:.2f}")
        short = ref.removesuffix("USDT")
        return (f" vs {short} " + " ".join(parts), TEXT)

    def _reference_line(self) -> tuple[str, str]:
        mc = self.model.context
        warn = mc.weakness()
        if warn:
            return (f" ! {warn}", WARN)
        move = mc.reference_move()
        short = mc.reference.removesuffix("USDT")
        if move is None:
            return (f" {short} move: waiting for 1 m bars", DIM)
        return (f" {short} {move[0]:+.2f}% in {move[1] // 60} m", DIM)


class JournalPrompt(ModalScreen[str | None]):
    """Ask for the rationale (``#tag`` words become the setup tag); enter logs, escape cancels."""

    DEFAULT_CSS = ("JournalPrompt { align: center middle; } #jbox { width: 70; height: auto; "
                   "border: round $accent; padding: 1 2; background: $surface; }")
    BINDINGS = [("escape", "cancel", "cancel")]

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="jbox"):
            yield Static(f"Log this trade in the journal\n{self.summary}\nrationale (#tag words set the setup tag):")
            yield Input(placeholder="e.g. #breakout held VAH, BTC flat", id="jinput")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
