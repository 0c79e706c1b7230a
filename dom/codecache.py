"""Compiled code of the dataclasses' generated methods, kept between runs as bytecode is.

A ``@dataclass`` writes the source of its ``__init__``, ``__repr__``, ``__eq__``, ... and compiles
it when its module is imported: about 200 small functions, ~40 ms of every ``dom`` command's
start-up. :func:`install` (the CLI calls it first) has the dataclasses module compile through
:func:`compile_cached` instead: the code object of each source text, compiled the first time and
read back from ``<dom>/__pycache__/dataclass_code.<tag>.marshal`` after (under
``sys.pycache_prefix`` when set; nothing written when bytecode is not: ``PYTHONDONTWRITEBYTECODE``).

The classes are the same: the same text compiles to the same code object (compiled as
``exec(text)`` in the dataclasses module compiles it: no ``__future__`` flag inherited), and a text
that is not in the file is compiled as before. The file is keyed by the text itself, so a changed
class simply misses; it is rewritten, with what it held and what the run used, when something
missed (each command's classes stay; past ``MAX_ENTRIES`` only the run's own). A file that
cannot be read is ignored. ``DOM_CODE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
from typing import Any

MAX_ENTRIES = 1000  # (~2.5 MB; past it the file keeps only what the last run used)

_cache: dict[str, Any] | None = None  # text -> code, as read from the file
_used: dict[str, Any] = {}  # what this run compiled or read: the next file
_missed = False


def _path() -> str:
    from importlib.util import cache_from_source

    pyc = cache_from_source(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataclass_code.py"))
    return pyc[: -len(".pyc")] + ".marshal"


def _load() -> dict[str, Any]:
    try:
        with open(_path(), "rb") as f:
            data = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError, NotImplementedError):  # (NotImplementedError: no cache tag)
        return {}
    code_type = type(_load.__code__)
    if type(data) is not dict:
        return {}
    return {k: v for k, v in data.items() if type(k) is str and type(v) is code_type}


def compile_cached(text: str) -> Any:
    """``compile(text, "<string>", "exec")`` with no ``__future__`` flag, from the file when it
    holds it."""
    global _cache, _missed
    if _cache is None:
        _cache = _load()
    code = _cache.get(text)
    if code is None:
        code = compile(text, "<string>", "exec", dont_inherit=True)
        _missed = True
    _used[text] = code
    return code


def _exec(source: Any, globals: Any = None, locals: Any = None) -> None:
    """``exec`` as the dataclasses module calls it (a text, its globals, a namespace)."""
    if type(source) is str:
        source = compile_cached(source)
    exec(source, globals, locals)  # noqa: S102 - the dataclasses module's own generated source


def _save() -> None:
    if not _missed or sys.dont_write_bytecode:
        return
    # What the file held stays (another command's classes), unless that grows past the cap: then
    # only what this run used (a class edited many times leaves its old texts behind).
    keep = {**(_cache or {}), **_used}
    if len(keep) > MAX_ENTRIES:
        keep = _used
        if len(keep) > MAX_ENTRIES:
            return
    try:
        path = _path()
    except NotImplementedError:  # (an implementation without bytecode files)
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(marshal.dumps(keep))
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def install() -> bool:
    """Compile the dataclasses' generated methods through the file from now on (once a process);
    False when ``DOM_CODE_CACHE=0`` or this Python's dataclasses module does not compile so."""
    import dataclasses

    if os.environ.get("DOM_CODE_CACHE", "1") == "0" or not hasattr(dataclasses, "_create_fn"):
        return False
    if getattr(dataclasses, "exec", None) is _exec:
        return True
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # (a module global before the builtin)
    import atexit

    atexit.register(_save)
    return True
