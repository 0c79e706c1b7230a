"""dom's exceptions. One flat base with one subclass per domain (harlequin's pattern).

    DomError
    ├── ConfigError        bad config file, key, value or CLI flag
    ├── UnitsError         a decimal string that is not an exact multiple of its tick/step (sans-I/O)
    ├── FeedError          a venue/endpoint problem: unreachable, unknown symbol, protocol error
    ├── RecordingError     a recording that cannot be read at all (bad lines are counted, not raised)
    ├── SinkError          an alert sink that cannot be set up
    │   └── SinkConfigError    a bad sink spec or [[sinks]] table (also a ConfigError)
    └── JournalError       the trade journal cannot be opened or written

The CLI turns a DomError into one line on stderr and a non-zero exit; anything else is a bug.
"""

from __future__ import annotations


class DomError(Exception):
    """Base of every error dom raises on purpose."""

    exit_code = 2


class ConfigError(DomError):
    pass


class UnitsError(DomError, ValueError):
    pass


class FeedError(DomError):
    exit_code = 3


class RecordingError(DomError):
    pass


class SinkError(DomError):
    pass


class JournalError(DomError):
    pass


class SinkConfigError(SinkError, ConfigError):
    """A sink spec or ``[[sinks]]`` table that cannot work: found when the config is loaded."""
