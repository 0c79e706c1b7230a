"""``dom check-config``: print the effective configuration (defaults < file < env < flags)."""

from __future__ import annotations

import argparse

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-config",
        help="print the effective configuration as TOML",
        description="Load the defaults, the config file, DOM_* environment variables and the flags, "
        "check them, and print the result as TOML. Unknown keys and bad values are errors naming "
        "the dotted key.",
    )
    add_source_args(p)
    p.add_argument("--sink", action="append", metavar="SPEC")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dom.commands._source import resolve
    from dom.config import to_toml

    print(to_toml(resolve(args)), end="")
    return 0
