"""``dom replay``'s whole output (stdout, stderr, exit code) on every recording under
``../shared/data`` and on damaged copies of them, with the usual flags: one checkout against
another, or against a saved run.

    python benchmarks/replay_outputs.py --tree /path/to/main --save /tmp/main.json
    python benchmarks/replay_outputs.py --tree . --compare /tmp/main.json
    python benchmarks/replay_outputs.py --tree . --compare-tree /path/to/main

Each case runs ``python -m dom replay FILE... FLAGS`` in the tree (``-m`` puts the current
directory first on ``sys.path``), with ``PYTHONPATH`` at it too (``--pure``: and
``DOM_PURE_PYTHON=1``); the
elapsed time and the rate (the only fields that differ run to run) are masked, so the outputs must
match byte for byte. The damaged copies (made once in a temporary folder from the real
recordings): lines of junk, damaged numbers and cut JSON, a stretch of depth lines removed (a
gap), the gzip file cut short (truncated), lines with CRLF, long and zero-padded receive times,
a plain (not gzip) copy, and two files replayed as one. They are written to one fixed folder
(``replay_outputs_cases`` in the temporary directory: the paths show in the outputs, so a saved
run and a later one must read the same place); two runs at the same time rewrite each other's
copies there, so give each its own ``TMPDIR``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
USDM = DATA / "hftbacktest" / "usdm" / "btcusdt_20240808.gz"
SPOT = DATA / "hftbacktest" / "spot" / "btcusdt_20240808.gz"
FLAGS = ([], ["--json"], ["--no-alerts"], ["--json", "--no-alerts"], ["--check"], ["--check", "--json"],
         ["--symbol", "BTCUSDT"], ["--symbol", "ETHUSDT", "--json"])
_MASK = [(re.compile(rb'"(elapsed_s|messages_per_s)": [0-9.e+-]+'), rb'"\1": 0'),
         (re.compile(rb"elapsed [0-9.]+ s, [0-9,]+ messages/s"), b"elapsed 0 s, 0 messages/s")]


def _lines(path: Path, limit: int | None = None) -> list[bytes]:
    with gzip.open(path, "rb") as f:
        out = f.read().split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    return out[:limit] if limit else out


def _write(path: Path, lines: list[bytes], gz: bool = True) -> Path:
    data = b"".join(line + b"\n" for line in lines)
    if gz:
        with gzip.open(path, "wb", compresslevel=1) as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def _junk(rng: random.Random, line: bytes) -> bytes:
    """One damaged line: what a disk, a cut or a hand edit leaves."""
    ts, _, raw = line.partition(b" ")
    pick = rng.randrange(14)
    if pick == 0:
        return raw  # no receive time
    if pick == 1:
        return ts + b" " + raw[: rng.randrange(len(raw) + 1)]  # cut JSON
    if pick == 2:
        return b"x" + line
    if pick == 3:
        return ts + b"0" * rng.randrange(1, 4) + b" " + raw  # a receive time past 2^63
    if pick == 4:
        return b"0" * rng.randrange(1, 3) + line  # zero-padded receive time
    if pick == 5:
        return line.replace(b'"s":"BTCUSDT"', b'"s":"BTCUSDT ', 1)
    if pick == 6:
        return re.sub(rb'"(\d+)\.(\d+)"', lambda m: b'"-' + m.group(1) + b"." + m.group(2) + b'"', line, count=1)
    if pick == 7:
        return line.replace(b",", b", ", 1)  # whitespace in the JSON
    if pick == 8:
        return re.sub(rb":(\d+)", lambda m: b":" + m.group(1) + b"999999999999", line, count=1)  # a huge id
    if pick == 9:
        return line.replace(b'"e":', b'"e":"x","e":', 1)  # a key twice
    if pick == 10:
        return ts + b" " + raw.replace(b'"', b"'", 2)
    if pick == 11:
        return line + b"\r"
    if pick == 12:
        return ts + b"  " + raw  # two spaces
    return line.replace(b'"m":true', b'"m":1', 1).replace(b'"m":false', b'"m":0', 1)


def damaged(tmp: Path) -> list[tuple[str, list[str]]]:
    rng = random.Random(7)
    usdm = _lines(USDM, 40_000)
    cases: list[tuple[str, list[str]]] = []
    bad = [(_junk(rng, line) if rng.random() < 0.02 and b"lastUpdateId" not in line else line) for line in usdm]
    bad[5:5] = [b"", b"   ", b"garbage", b"123", b"123 ", b"123 {}", b"123 []", b"1 {\"stream\":\"x@depthSnapshot\""]
    # an unknown symbol past the scan (in it, it would be a symbol without an instrument)
    bad[30_000:30_000] = [line.replace(b'"s":"BTCUSDT"', b'"s":"ETHUSDT"') for line in usdm[30_000:30_050]]
    cases.append(("bad lines", [str(_write(tmp / "bad.gz", bad))]))
    gap = [line for i, line in enumerate(usdm) if not (20_000 <= i < 20_400 and b"depthUpdate" in line)]
    cases.append(("gap", [str(_write(tmp / "gap.gz", gap))]))
    whole = USDM.read_bytes()
    (tmp / "cut.gz").write_bytes(whole[: len(whole) * 2 // 3])
    cases.append(("truncated gz", [str(tmp / "cut.gz")]))
    cases.append(("plain", [str(_write(tmp / "plain.txt", usdm[:30_000], gz=False))]))
    crlf = [line + b"\r" for line in usdm[:20_000]]
    cases.append(("crlf", [str(_write(tmp / "crlf.gz", crlf))]))
    half = len(usdm) // 2
    cases.append(("two files", [str(_write(tmp / "a.gz", usdm[:half])), str(_write(tmp / "b.gz", usdm[half:]))]))
    spot = _lines(SPOT, 30_000)
    spot = [(_junk(rng, x) if rng.random() < 0.02 and b"lastUpdateId" not in x else x) for x in spot]
    cases.append(("spot bad lines", [str(_write(tmp / "spotbad.gz", spot))]))
    return cases


def recordings() -> list[tuple[str, list[str]]]:
    out = [(p.relative_to(DATA).as_posix(), [str(p)]) for p in sorted(DATA.rglob("*"))
           if p.is_file() and not p.name.endswith((".md", ".meta.json")) and ".http." not in p.name
           and not re.fullmatch(r"[A-Z_]+\.0", p.name)]
    return out


PURE = False  # --pure: every run with DOM_PURE_PYTHON=1 (the twins)


def run_case(tree: Path, files: list[str], flags: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("DOM_PURE_PYTHON", None)
    if PURE:
        env["DOM_PURE_PYTHON"] = "1"
    p = subprocess.run([sys.executable, "-m", "dom", "replay", *files, *flags], env=env, capture_output=True,
                       cwd=str(tree), timeout=900)
    out, err = p.stdout, p.stderr
    for rx, rep in _MASK:
        out, err = rx.sub(rep, out), rx.sub(rep, err)
    h = hashlib.sha256(out + b"\0" + err + b"\0" + str(p.returncode).encode()).hexdigest()[:16]
    return {"hash": h, "rc": p.returncode, "stdout": len(out), "stderr": err[-300:].decode("utf-8", "replace")}


def run_all(tree: Path, quick: bool) -> dict[str, dict]:
    tmp = Path(tempfile.gettempdir()) / "replay_outputs_cases"  # (a fixed place: paths show in the output)
    tmp.mkdir(exist_ok=True)
    cases = recordings() + damaged(tmp)
    res: dict[str, dict] = {}
    for name, files in cases:
        big = any(f == str(USDM) for f in files)
        for flags in FLAGS if not (quick and big) else FLAGS[:3]:
            key = f"{name} {' '.join(flags)}".strip()
            res[key] = run_case(tree, files, flags)
            print(f"{key:<60} {res[key]['hash']} rc {res[key]['rc']}", flush=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", default=str(REPO))
    ap.add_argument("--save")
    ap.add_argument("--compare", help="a --save file to compare with")
    ap.add_argument("--compare-tree", help="another checkout to run and compare with")
    ap.add_argument("--quick", action="store_true", help="three flag sets on the 345 s recording")
    ap.add_argument("--pure", action="store_true", help="with DOM_PURE_PYTHON=1 (the pure-Python twins)")
    a = ap.parse_args()
    global PURE
    PURE = a.pure
    res = run_all(Path(a.tree), a.quick)
    if a.save:
        Path(a.save).write_text(json.dumps(res, indent=1))
    other = None
    if a.compare:
        other = json.loads(Path(a.compare).read_text())
    elif a.compare_tree:
        other = run_all(Path(a.compare_tree), a.quick)
    if other is None:
        return 0
    diff = [k for k in res if other.get(k, {}).get("hash") != res[k]["hash"]]
    print(f"{len(res) - len(diff)} of {len(res)} cases identical")
    for k in diff:
        print(f"DIFFERS: {k}: {res[k]} vs {other.get(k)}")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())
