"""The core stays pure: importing it loads no asyncio, network, UI or exchange library."""

import subprocess
import sys

import pytest

FORBIDDEN_EVERYWHERE_HEADLESS = ["textual", "rich", "websockets", "aiohttp", "ccxt"]


def loaded(modules: list[str]) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(' '.join(sorted(set(k.split('.')[0] for k in sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_imports_nothing_io_ui_or_async():
    mods = loaded(
        ["dom.core.types", "dom.core.units", "dom.core.book", "dom.core.sequencer", "dom.core.engine", "dom.core.check"]
    )
    for bad in FORBIDDEN_EVERYWHERE_HEADLESS + ["asyncio", "socket"]:
        assert bad not in mods, f"dom.core pulled in {bad}"


@pytest.mark.parametrize("module", ["dom.venues.binance_usdm.codec", "dom.runtime.replay", "dom.alert_json", "dom.cli"])
def test_headless_modules_do_not_load_the_ui_or_ccxt(module):
    mods = loaded([module])
    for bad in ["textual", "rich", "ccxt"]:
        assert bad not in mods, f"{module} pulled in {bad}"
