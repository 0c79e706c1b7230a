"""Venue codecs are pure: no I/O, async or UI library, and nothing of dom beyond the core."""

import subprocess
import sys

import pytest

CODECS = ["dom.venues.okx.codec", "dom.venues.bybit.codec", "dom.venues.bitget.codec"]


@pytest.mark.parametrize("module", CODECS)
def test_codec_imports_only_the_core(module):
    code = (
        f"import sys\nimport {module}\n"
        "print(' '.join(sorted(k for k in sys.modules if k.startswith('dom'))))\n"
        "print(' '.join(sorted(set(k.split('.')[0] for k in sys.modules))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    dom_mods, top = set(out[0].split()), set(out[1].split())
    allowed = (
        "dom.core",
        "dom.errors",
        "dom.venues.base",  # the adapter's description (VenueInfo): dataclasses over the core
        module.rsplit(".", 1)[0],
    )
    assert {
        m for m in dom_mods if m not in ("dom", "dom.venues") and not m.startswith(allowed)
    } == set()
    for bad in ["asyncio", "socket", "websockets", "aiohttp", "ccxt", "textual", "rich"]:
        assert bad not in top, f"{module} pulled in {bad}"
