"""dom: a terminal-native order-flow and depth-of-market monitor for crypto futures."""

__version__ = "0.1.0"
