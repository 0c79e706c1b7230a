"""The one entry point: ``dom`` and ``python -m dom``.

Each subcommand lives in ``dom/commands/<name>.py`` with two functions: ``add_parser(sub)``
(cheap: no heavy imports at module level) and ``run(args) -> int``. Heavy modules (textual,
ccxt, aiohttp) are imported inside ``run``. ``dom`` with no subcommand opens the TUI on the
built-in market.

A :class:`dom.errors.DomError` becomes one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from dom import __version__, codecache

codecache.install()  # (before any command's modules build their dataclasses)

from dom.errors import DomError  # noqa: E402

# Subcommands in the order `dom --help` lists them. A module that does not exist yet is skipped.
COMMANDS = ("tui", "run", "sim", "replay", "record", "eval", "journal", "venues", "bus", "collect", "serve", "scan", "check_config")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``only`` (one of ``COMMANDS``) alone: ``dom replay
    FILE`` parses its arguments as the whole parser does without importing (and, with no bytecode
    written, compiling) the other twelve command modules."""
    p = argparse.ArgumentParser(
        prog="dom",
        description="Order-flow and depth-of-market monitor for crypto futures. "
        "With no command, runs on the built-in market.",
    )
    p.add_argument("--version", action="version", version=f"dom {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        try:
            mod = importlib.import_module(f"dom.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"dom.commands.{name}":
                continue
            raise
        mod.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = None
    if argv and argv[0] in COMMANDS:  # (a command named first: its own parser is all it needs)
        parser = build_parser(argv[0])
        if argv[0] not in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            parser = None  # (its module is missing: the whole parser says so)
    if parser is None:
        parser = build_parser()
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        # `dom --venue okx BTC-USDT-SWAP`: options with no command are the main job's (the TUI).
        choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        argv = ["tui" if "tui" in choices else "run", *argv]
    args = parser.parse_args(argv)
    if args.command is None:
        # The main job: the terminal UI on the built-in market, or headless until the UI exists.
        choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        args = parser.parse_args(["tui" if "tui" in choices else "run", *(argv or [])])
    try:
        return int(args.func(args) or 0)
    except DomError as e:
        print(f"dom: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `dom run | head`: the reader went away; that is not an error.
        try:
            sys.stdout = None  # type: ignore[assignment]
        except Exception:
            pass
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
