"""CLI subcommands: one module each, exposing ``add_parser(sub)`` and ``run(args)``."""
