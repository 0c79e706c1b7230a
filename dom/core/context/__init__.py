"""The trader's context: sizing with the 1% rule, slippage through the live book (pure, exact)."""
