"""The built-in market."""

PRESET_NAMES = ("mixed", "major", "smallcap", "sectors")
"""Its presets (:mod:`dom.sim.presets`), named here so the config's check reads them without
importing the presets (``dom replay`` and every command check the config)."""
