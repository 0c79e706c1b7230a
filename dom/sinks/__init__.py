"""Alert sinks (JSON lines, webhook, exec hook) and the Alert JSON v1 schema."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def alert_schema() -> dict[str, Any]:
    """The JSON Schema of Alert JSON v1, shipped as ``dom/alert_schema.json``."""
    return json.loads(resources.files("dom").joinpath("alert_schema.json").read_text())


def validate_alert(obj: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``obj`` is a valid Alert JSON v1 object
    (needs the ``jsonschema`` package, part of the ``test`` extra)."""
    import jsonschema

    jsonschema.validate(obj, alert_schema())
