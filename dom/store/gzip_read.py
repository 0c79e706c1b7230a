"""Gzip recordings opened for reading, inflated by zlib-ng when it is installed.

``open_gzip(path)`` returns a ``gzip.GzipFile``: the standard library's own class and reader,
whose functions are bound here to a namespace where ``zlib`` is zlib-ng's zlib-compatible module
(``zlib_ng.zlib_ng``, a dependency of dom and of ccxt). zlib-ng's inflate and crc32 are ~3x
zlib's on the recordings (the 345 s BTCUSDT one: ~58 -> ~21 ms of CPU), and everything else is
the standard library's code itself: the same 8 kB input reads, the same ``decompress`` calls
with the same limits, so ``read1`` returns the same blocks, and a cut, corrupt or padded file
raises the same exception (``EOFError``, ``gzip.BadGzipFile``; zlib-ng's ``error`` for bad
deflate data, with zlib's message: its class is also named ``error``) after the same blocks.
``CORRUPT`` lists what reading may raise.

Without zlib-ng, on a Python whose gzip reader asks zlib for something zlib-ng lacks, or with
``DOM_ZLIB_NG=0``, it is ``gzip.open`` as before. Bound on first use, so ``import dom`` does not
load zlib-ng.
"""

from __future__ import annotations

import gzip
import os
import types
import zlib
from pathlib import Path

_fast: type[gzip.GzipFile] | None | bool = False  # False: not bound yet; None: not available

try:  # (zlib_ng's error is a class of its own: read errors are caught with CORRUPT)
    from zlib_ng.zlib_ng import error as _ng_error
except ImportError:  # pragma: no cover - zlib-ng is a dependency
    _ng_error = zlib.error

CORRUPT: tuple[type[BaseException], ...] = (EOFError, gzip.BadGzipFile, zlib.error, _ng_error, OSError)


def enabled() -> bool:
    """Whether gzip files are inflated by zlib-ng (``DOM_ZLIB_NG=0`` turns it off)."""
    return os.environ.get("DOM_ZLIB_NG", "1") != "0"


def _rebound(cls: type, namespace: dict, name: str) -> type:
    """A subclass of ``cls`` whose own functions are ``cls``'s, looking up their globals in
    ``namespace`` (their code, defaults and closures unchanged: ``super()`` still works)."""
    ns: dict = {"__module__": __name__, "__qualname__": name}
    for key, value in vars(cls).items():
        if type(value) is types.FunctionType:
            fn = types.FunctionType(value.__code__, namespace, value.__name__, value.__defaults__, value.__closure__)
            fn.__kwdefaults__ = value.__kwdefaults__
            fn.__qualname__ = f"{name}.{value.__name__}"
            ns[key] = fn
    return type(name, (cls,), ns)


def _bind() -> type[gzip.GzipFile] | None:
    try:
        from zlib_ng import zlib_ng
    except ImportError:  # pragma: no cover - zlib-ng is a dependency
        return None
    # Every name the gzip module's code reads from zlib must be there (3.12's reader uses
    # zlib._ZlibDecompressor, which zlib-ng has too).
    names = {n for f in _functions(gzip) for n in _zlib_attrs(f.__code__)}
    if not names or any(not hasattr(zlib_ng, n) for n in names):
        return None
    namespace = dict(vars(gzip))
    namespace["zlib"] = zlib_ng
    reader = _rebound(gzip._GzipReader, namespace, "_GzipReaderNG")  # type: ignore[attr-defined]
    namespace["_GzipReader"] = reader
    return _rebound(gzip.GzipFile, namespace, "GzipFileNG")


def _functions(module: types.ModuleType) -> list[types.FunctionType]:
    out = [f for f in vars(module).values() if type(f) is types.FunctionType]
    for cls in (module.GzipFile, module._GzipReader):  # type: ignore[attr-defined]
        out += [f for f in vars(cls).values() if type(f) is types.FunctionType]
    return out


def _zlib_attrs(code: types.CodeType) -> set[str]:
    """The attribute names that follow ``zlib`` in ``code`` (and the code nested in it)."""
    out: set[str] = set()
    names = code.co_names
    if "zlib" in names:
        # co_names holds every global and attribute name; the attributes read from zlib are
        # the ones the zlib module has (the check is only to decline a reader that needs more)
        out |= {n for n in names if n != "zlib" and not n.startswith("__") and hasattr(zlib, n)}
    for const in code.co_consts:
        if type(const) is types.CodeType:
            out |= _zlib_attrs(const)
    return out


def open_gzip(path: str | Path) -> gzip.GzipFile:
    """``gzip.open(path, "rb")``, inflated by zlib-ng where it can be (see the module)."""
    global _fast
    if enabled():
        if _fast is False:
            _fast = _bind()
        if _fast is not None:
            return _fast(path, "rb")  # type: ignore[operator]
    return gzip.open(path, "rb")  # type: ignore[return-value]
