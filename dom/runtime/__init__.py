"""Drivers, the pipeline they feed, and the wiring that builds them from the config."""
