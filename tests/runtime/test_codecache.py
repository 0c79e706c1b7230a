"""The dataclasses' generated methods compiled once and read back (``dom.codecache``): the classes
are the same as the dataclasses module builds alone (the same code objects, signatures, reprs,
comparisons), the file is written where bytecode goes and only when bytecode is, a bad file is
ignored, and ``dom`` commands still start."""

from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from dom import codecache

REPO = Path(__file__).resolve().parents[2]

# Dataclasses of every kind the project uses (and a few it might): built once plainly, once
# through the cache with nothing in it, once read back from the file.
SOURCE = textwrap.dedent(
    '''
    import dataclasses
    from dataclasses import InitVar, dataclass, field
    from typing import ClassVar

    @dataclass
    class Plain:
        a: int
        b: str = "x"
        c: list = field(default_factory=list)
        d: dict = field(default_factory=dict, repr=False, compare=False)

    @dataclass(frozen=True, slots=True)
    class Frozen:
        symbol: str
        px: int
        qty: int = -1
        K: ClassVar[int] = 3

    @dataclass(frozen=True)
    class Base:
        x: int = 1

    @dataclass(frozen=True)
    class Child(Base):
        y: float = 2.5

    @dataclass(order=True, kw_only=True)
    class Ordered:
        p: int
        q: int = 0

    @dataclass
    class WithInitVar:
        a: int
        scale: InitVar[int] = 2
        b: int = field(init=False, default=0)

        def __post_init__(self, scale):
            self.b = self.a * scale
    '''
)


def _build(future: bool) -> dict:
    mod = types.ModuleType("dom_codecache_sample")
    sys.modules[mod.__name__] = mod  # (string annotations are looked up in the class's module)
    try:
        exec(compile(("from __future__ import annotations\n" if future else "") + SOURCE, "sample.py", "exec"),
             mod.__dict__)
    finally:
        del sys.modules[mod.__name__]
    return mod.__dict__


def _methods(cls: type) -> dict:
    return {k: v.__code__ for k, v in vars(cls).items() if inspect.isfunction(v) and v.__code__.co_filename == "<string>"}


def _fresh(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(codecache, "_cache", None)
    monkeypatch.setattr(codecache, "_used", {})
    monkeypatch.setattr(codecache, "_missed", False)
    monkeypatch.setattr(codecache, "_path", lambda: str(tmp_path / "cache" / "dataclass_code.marshal"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.fixture
def installed(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    monkeypatch.setattr(dataclasses, "exec", codecache._exec, raising=False)
    return tmp_path


def _compare(plain: dict, cached: dict) -> None:
    for name in ("Plain", "Frozen", "Base", "Child", "Ordered", "WithInitVar"):
        a, b = plain[name], cached[name]
        ma, mb = _methods(a), _methods(b)
        assert ma.keys() == mb.keys() and ma, name
        assert ma == mb, name  # (same bytecode, constants, names and flags)
        for k in ma:
            assert getattr(a, k).__annotations__ == getattr(b, k).__annotations__, (name, k)
        assert str(inspect.signature(a)) == str(inspect.signature(b)), name
        assert a.__doc__ == b.__doc__
    P, F, C, O, W = (cached[n] for n in ("Plain", "Frozen", "Child", "Ordered", "WithInitVar"))
    assert repr(P(1)) == "Plain(a=1, b='x', c=[])" and P(1) == P(1, d={"z": 1}) and P(1) != P(2)
    f = F("BTC", 5)
    assert repr(f) == "Frozen(symbol='BTC', px=5, qty=-1)" and hash(f) == hash(F("BTC", 5, -1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.px = 6  # type: ignore[misc]
    assert C() == C(1, 2.5) and repr(C(3)) == "Child(x=3, y=2.5)"
    assert O(p=1) < O(p=2) and sorted([O(p=2), O(p=1, q=5)])[0] == O(p=1, q=5)
    with pytest.raises(TypeError):
        O(1)  # type: ignore[misc]
    assert W(3).b == 6 and W(3, 5).b == 15


@pytest.mark.parametrize("future", [False, True])
def test_classes_through_the_cache_are_the_plain_ones(installed, monkeypatch, future):
    plain_ns = None
    monkeypatch.delattr(dataclasses, "exec")
    plain_ns = _build(future)
    monkeypatch.setattr(dataclasses, "exec", codecache._exec, raising=False)
    first = _build(future)  # (compiled here, as the module would)
    assert codecache._missed
    _compare(plain_ns, first)
    codecache._save()
    path = Path(codecache._path())
    assert path.is_file()
    # A later run: everything from the file, nothing compiled.
    monkeypatch.setattr(codecache, "_cache", None)
    monkeypatch.setattr(codecache, "_used", {})
    monkeypatch.setattr(codecache, "_missed", False)
    again = _build(future)
    assert not codecache._missed and codecache._cache
    _compare(plain_ns, again)


def test_a_bad_file_is_ignored(installed, monkeypatch):
    path = Path(codecache._path())
    path.parent.mkdir(parents=True)
    for junk in (b"", b"\x00garbage", __import__("marshal").dumps({"x": 1, 2: "y"}), __import__("marshal").dumps([1])):
        path.write_bytes(junk)
        monkeypatch.setattr(codecache, "_cache", None)
        ns = _build(False)
        assert repr(ns["Frozen"]("S", 1)) == "Frozen(symbol='S', px=1, qty=-1)"
        assert codecache._missed


def test_nothing_written_without_bytecode(installed, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _build(False)
    assert codecache._missed
    codecache._save()
    assert not Path(codecache._path()).exists()


def test_off_by_the_environment(monkeypatch):
    monkeypatch.delattr(dataclasses, "exec", raising=False)
    monkeypatch.setenv("DOM_CODE_CACHE", "0")
    assert codecache.install() is False
    assert not hasattr(dataclasses, "exec")


def _run(code: str, env: dict) -> str:
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_a_second_run_compiles_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DOM_CODE_CACHE")}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    env["PYTHONPATH"] = str(REPO)
    code = ("import dom.cli, dom.codecache as c, dom.core.detectors, dom.runtime.replay, dom.config;"
            "print(c._missed, len(c._used))")
    first = _run(code, env).split()
    second = _run(code, env).split()
    assert first[0] == "True" and int(first[1]) > 100
    assert second == ["False", first[1]]
    files = list((tmp_path / "pyc").rglob("dataclass_code.*.marshal"))
    assert len(files) == 1 and "dom" in files[0].parts


@pytest.mark.parametrize("argv", [["--help"], ["replay", "--help"], ["eval", "--help"], ["sim", "--help"],
                                  ["run", "--help"], ["tui", "--help"], ["--version"]])
def test_commands_still_start(tmp_path, argv):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    env["PYTHONPATH"] = str(REPO)
    for _ in range(2):  # (compiled, then read back)
        r = subprocess.run([sys.executable, "-m", "dom", *argv], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        assert ("usage: dom" in r.stdout) or r.stdout.startswith("dom ")


def test_no_cache_tag_means_no_file(installed, monkeypatch):
    def no_tag() -> str:
        raise NotImplementedError("sys.implementation.cache_tag is None")

    monkeypatch.setattr(codecache, "_path", no_tag)
    ns = _build(False)
    assert ns["Child"]() == ns["Child"](1, 2.5) and codecache._missed
    codecache._save()  # (nothing to write to, and no error)


OTHER = textwrap.dedent(
    '''
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Other:
        k: int
        v: str = ""
    '''
)


def _fresh_run(monkeypatch) -> None:
    monkeypatch.setattr(codecache, "_cache", None)
    monkeypatch.setattr(codecache, "_used", {})
    monkeypatch.setattr(codecache, "_missed", False)


def _build_other() -> dict:
    mod = types.ModuleType("dom_codecache_other")
    sys.modules[mod.__name__] = mod
    try:
        exec(compile(OTHER, "other.py", "exec"), mod.__dict__)
    finally:
        del sys.modules[mod.__name__]
    return mod.__dict__


def test_each_commands_classes_stay_in_the_file(installed, monkeypatch):
    _build(False)  # (one command's classes)
    codecache._save()
    _fresh_run(monkeypatch)
    assert repr(_build_other()["Other"](1)) == "Other(k=1, v='')"  # (another command's: they miss)
    assert codecache._missed
    codecache._save()
    _fresh_run(monkeypatch)
    _build(False)
    _build_other()
    assert not codecache._missed  # (both read back: no command compiles the other's away)


def test_past_the_cap_only_the_runs_own(installed, monkeypatch):
    _build(False)
    codecache._save()
    n = len(codecache._used)
    _fresh_run(monkeypatch)
    monkeypatch.setattr(codecache, "MAX_ENTRIES", n)
    _build_other()
    codecache._save()
    _fresh_run(monkeypatch)
    _build_other()
    assert not codecache._missed and len(codecache._cache) == len(codecache._used) < n
