"""The side panels, re-exported under their older home: tape, alerts, status bar."""

from __future__ import annotations

from dom.ui.widgets.alerts import Alerts
from dom.ui.widgets.status import FrameStats, StatusBar
from dom.ui.widgets.tape import FILTERS, Tape

__all__ = ["FILTERS", "Alerts", "FrameStats", "StatusBar", "Tape"]
