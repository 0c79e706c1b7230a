"""The import contracts of docs/ARCHITECTURE.md, checked on the source (every import statement,
lazy ones inside functions included) and on what importing a module really loads.

- ``dom.core`` imports nothing of dom outside ``dom.core`` (``dom.errors`` aside: the exceptions
  everyone raises) and no I/O, async, UI or exchange library;
- a venue's pure modules (all of its folder but ``client``, ``context``, ``snapshots`` and the
  adapter object in ``__init__``) import only ``dom.core``, ``dom.errors``, ``dom.store``'s
  recording readers and each other: never a live client, no network or async library;
- ``dom.sim`` may import venue codecs, never live clients, context pollers, ``dom.runtime``,
  ``dom.ui``, ``dom.sinks`` or ``dom.commands``;
- ``dom.ui`` never imports ``dom.venues`` or ``dom.sinks`` (it goes through ``dom.runtime``);
- ``dom.runtime.pipeline`` is synchronous: no asyncio, network or UI library;
- only ``dom.commands``, ``dom.runtime.wiring`` and ``dom.ui`` itself import ``dom.ui``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

DOM = Path(__file__).resolve().parents[1] / "dom"
IO_LIBS = {"asyncio", "socket", "aiohttp", "websockets", "ccxt", "textual", "rich", "sqlite3", "time"}
LIVE_VENUE = ("client", "context", "snapshots")  # a venue's network side; the rest of its folder is pure


def imports_of(root: Path) -> dict[str, set[str]]:
    """module name -> every module it imports (absolute names, lazy imports included)."""
    out: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mod = ".".join(parts)
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.level:
                    base = mod.split(".")[: -node.level] if path.name != "__init__.py" else mod.split(".")[: len(mod.split(".")) - node.level + 1]
                    full = ".".join([*base, node.module])
                else:
                    full = node.module
                # `from dom.store import recording` imports the module dom.store.recording; `from
                # dom.core.types import Alert` imports dom.core.types (resolved in violations()).
                names.update(f"{full}.{a.name}" for a in node.names)
        out[mod] = names
    return out


def _is(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path = DOM) -> list[str]:
    found: list[str] = []
    graph = imports_of(root)
    dom_modules = set(graph)

    def dom_name(name: str) -> str | None:
        """The dom module ``name`` refers to (``from dom.x import y`` may name a module or a symbol)."""
        while name and name not in dom_modules:
            name = name.rpartition(".")[0]
        return name or None

    for mod, names in sorted(graph.items()):
        for raw in sorted(names):
            top = raw.split(".")[0]
            target = dom_name(raw) if top == "dom" else None
            if _is(mod, "dom.core"):
                if target and not (_is(target, "dom.core") or target in ("dom.errors", "dom")):
                    found.append(f"{mod} imports {target}: core imports only core")
                if top in IO_LIBS:
                    found.append(f"{mod} imports {top}: core is pure (no I/O, clock, async or UI)")
            if mod.startswith("dom.venues.") and mod.count(".") == 3 and mod.rsplit(".", 1)[-1] not in LIVE_VENUE:
                venue = mod.rsplit(".", 1)[0]
                if target and not (any(_is(target, p) for p in ("dom.core", "dom.errors", "dom.store"))
                                   and not _is(target, "dom.store.journal")) \
                        and not (_is(target, venue) and target.rsplit(".", 1)[-1] not in LIVE_VENUE):
                    found.append(f"{mod} imports {target}: a venue's codec imports only core")
                if top in IO_LIBS - {"time"}:
                    found.append(f"{mod} imports {top}: a venue's codec does no I/O")
            if _is(mod, "dom.sim") and target:
                if any(_is(target, p) for p in ("dom.runtime", "dom.ui", "dom.sinks", "dom.commands")) or (
                        _is(target, "dom.venues") and target.rsplit(".", 1)[-1] in LIVE_VENUE):
                    found.append(f"{mod} imports {target}: the built-in market uses venue codecs only")
            if _is(mod, "dom.ui") and target and (_is(target, "dom.venues") or _is(target, "dom.sinks")):
                found.append(f"{mod} imports {target}: the UI goes through dom.runtime")
            if mod == "dom.runtime.pipeline" and top in IO_LIBS:
                found.append(f"{mod} imports {top}: the pipeline is synchronous and pure of I/O")
            if target and _is(target, "dom.ui") and not any(
                    _is(mod, p) for p in ("dom.ui", "dom.commands", "dom.runtime.wiring")):
                found.append(f"{mod} imports {target}: only the commands and the wiring open the UI")
    return found


def test_the_source_keeps_the_import_contracts():
    assert violations() == []


def test_a_violation_is_caught(tmp_path):
    """The checker itself: a copy of the package with one forbidden import in each layer."""
    import shutil

    root = tmp_path / "dom"
    shutil.copytree(DOM, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "core" / "book.py").write_text((root / "core" / "book.py").read_text() + "\nimport dom.venues\n")
    (root / "sim" / "market.py").write_text(
        (root / "sim" / "market.py").read_text() + "\nfrom dom.venues.binance_usdm.client import BinanceUsdmFeed\n")
    (root / "ui" / "screens.py").write_text((root / "ui" / "screens.py").read_text() + "\nfrom dom.sinks import base\n")
    (root / "venues" / "binance_usdm" / "codec.py").write_text(
        (root / "venues" / "binance_usdm" / "codec.py").read_text() + "\nimport aiohttp\n")
    found = violations(root)
    assert any(v.startswith("dom.core.book imports dom.venues") for v in found)
    assert any(v.startswith("dom.sim.market imports dom.venues.binance_usdm.client") for v in found)
    assert any(v.startswith("dom.ui.screens imports dom.sinks") for v in found)
    assert any(v.startswith("dom.venues.binance_usdm.codec imports aiohttp") for v in found)
    assert len(found) == 4, found


def loaded(modules: list[str]) -> set[str]:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(' '.join(sorted(set(k.split('.')[0] for k in sys.modules))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_core_and_the_pipeline_loads_no_io_ui_or_async():
    mods = loaded(["dom.core.engine", "dom.core.detectors", "dom.core.context.desk", "dom.core.history",
                   "dom.runtime.pipeline", "dom.venues.binance_usdm.codec"])
    for bad in ("textual", "rich", "websockets", "aiohttp", "ccxt", "asyncio", "socket"):
        assert bad not in mods, f"pulled in {bad}"


@pytest.mark.parametrize("module", ["dom.runtime.replay", "dom.alert_json", "dom.cli", "dom.venues"])
def test_headless_modules_do_not_load_the_ui_or_ccxt(module):
    mods = loaded([module])
    for bad in ("textual", "rich", "ccxt"):
        assert bad not in mods, f"{module} pulled in {bad}"


def test_the_replays_start_up_loads_only_what_it_uses(tmp_path):
    """``dom replay FILE``'s start-up (its parser, its command's imports, the config checked and
    the detectors built) with no config file and no sinks: no TOML parser, no sink code, no
    built-in market presets; with a config file, TOML is read; with sinks, they are checked."""
    code = (
        "import sys\n"
        "from dom.cli import build_parser\n"
        "from dom.commands.replay import _detectors\n"
        "from dom.runtime.replay import Replay\n"
        "_detectors(build_parser('replay').parse_args(['replay', 'x.gz']))\n"
        "print(' '.join(sorted(sys.modules)))"
    )

    def modules(**env: str) -> set[str]:
        import os

        e = {k: v for k, v in os.environ.items() if not k.startswith("DOM_")}
        e.update(XDG_CONFIG_HOME=str(tmp_path), **env)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=e)
        return set(out.stdout.split())

    mods = modules()
    assert "dom.core.detectors.walls" in mods and "dom.config_rules" in mods
    for lazy in ("tomllib", "dom.sinks.spec", "dom.sinks.filters", "dom.sim.presets", "shlex"):
        assert lazy not in mods, f"the replay's start-up loaded {lazy}"
    cfg = tmp_path / "c.toml"
    cfg.write_text('[detectors]\nwalls = false\n\n[[sinks]]\ntype = "jsonl"\npath = "a.jsonl"\n')
    mods = modules(DOM_CONFIG=str(cfg))
    assert "tomllib" in mods and "dom.sinks.spec" in mods
