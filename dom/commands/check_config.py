"""``dom check-config``: print the effective configuration (defaults < file < env < flags)."""

from __future__ import annotations

import argparse

from dom.commands._source import add_source_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check-config",
        help="check the configuration and print it as TOML (secrets masked)",
        description="Load the defaults, the config file, DOM_<TABLE>_<KEY> environment variables and "
        "the flags, check them exactly as `dom run` does, and print every key's effective value as "
        "TOML, with where each non-default came from. Sink URLs are shown as scheme://host/… and "
        "tokens stay in the environment. Unknown keys and bad values are an error naming the dotted "
        "key and where it was set (exit status 2).",
    )
    add_source_args(p)
    p.add_argument("--sink", action="append", metavar="SPEC",
                   help="alert sink as for `dom run` (repeatable): jsonl:-, jsonl:PATH, webhook:URL, exec:COMMAND, "
                   "telegram:, discord:URL, slack:URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dom.commands._source import resolve
    from dom.config import to_toml

    cfg = resolve(args)  # loads and validates: the same checks as `dom run`
    text = to_toml(cfg)
    if not cfg.sinks:
        text += "\n# no [[sinks]]: `dom run` writes Alert JSON lines to stdout (jsonl:-), the UI sends nowhere\n"
    print(text, end="")
    return 0
