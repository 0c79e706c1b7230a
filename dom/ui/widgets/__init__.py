"""dom's widgets, each on Textual's line API: ladder, heatmap, tape, context panel, alerts, status bar."""

from __future__ import annotations

from dom.ui.widgets.alerts import Alerts
from dom.ui.widgets.context_panel import ContextPanel
from dom.ui.widgets.heatmap import Heatmap
from dom.ui.widgets.ladder import Axis, Ladder
from dom.ui.widgets.status import FrameStats, StatusBar
from dom.ui.widgets.tape import Tape

__all__ = ["Alerts", "Axis", "ContextPanel", "FrameStats", "Heatmap", "Ladder", "StatusBar", "Tape"]
