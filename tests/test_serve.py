"""``dom serve`` in a real browser: Debian's headless Chromium opens the page, driven over the
DevTools protocol. The page's websocket must carry the running screen (the ladder's prices and
its panels, as the browser received them) and the terminal must be drawn (a screenshot with the
ladder's colours, not a blank page). A non-loopback server refuses a page without its token."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

DOM = [sys.executable, "-m", "dom"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium on this machine (Debian: apt-get install chromium)")


def _free_port() -> int:
    from dom.bus.server import free_port

    return free_port()


def _serve(port: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DOM_SIM_SPEED": "4"}
    env.pop("DOM_CONFIG", None)
    p = subprocess.Popen([*DOM, "serve", "--port", str(port), *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, env=env)
    return p


async def _cdp_page(browser_ws: str, url: str, seconds: float) -> tuple[str, bytes]:
    """Open ``url`` in a new tab; return (the text its websockets received, a PNG screenshot)."""
    import websockets

    async with websockets.connect(browser_ws, max_size=1 << 26) as b:
        await b.send(json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}))
        target = None
        while target is None:
            m = json.loads(await b.recv())
            if m.get("id") == 1:
                target = m["result"]["targetId"]
    page_ws = browser_ws.split("/devtools/")[0] + f"/devtools/page/{target}"
    received: list[str] = []
    async with websockets.connect(page_ws, max_size=1 << 26) as ws:
        n = 0

        async def call(method: str, **params) -> dict:
            nonlocal n
            n += 1
            await ws.send(json.dumps({"id": n, "method": method, "params": params}))
            while True:
                m = json.loads(await ws.recv())
                if m.get("method") == "Network.webSocketFrameReceived":
                    received.append(m["params"]["response"]["payloadData"])
                if m.get("id") == n:
                    return m.get("result", {})

        await call("Network.enable")
        await call("Emulation.setDeviceMetricsOverride", width=1600, height=900, deviceScaleFactor=1, mobile=False)
        await call("Page.navigate", url=url)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                m = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
            except TimeoutError:
                continue
            if m.get("method") == "Network.webSocketFrameReceived":
                received.append(m["params"]["response"]["payloadData"])
        shot = await call("Page.captureScreenshot", format="png")
    text = []
    for payload in received:
        try:
            raw = base64.b64decode(payload, validate=True)  # binary frames come base64-encoded
            text.append(raw.decode("utf-8", "replace"))
        except ValueError:
            text.append(payload)
    return ANSI.sub("", "".join(text)), base64.b64decode(shot["data"])


def _start_chromium(tmp_path) -> tuple[subprocess.Popen, str]:
    p = subprocess.Popen([_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--remote-debugging-port=0", f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30:
        line = p.stderr.readline()
        m = re.search(r"DevTools listening on (ws://\S+)", line)
        if m:
            return p, m.group(1)
        if not line and p.poll() is not None:
            break
    p.kill()
    pytest.fail("chromium did not start its DevTools endpoint")


def _distinct_colours(png: bytes) -> int:
    """How many distinct colours a PNG holds (decoded with zlib only: 8-bit RGB(A), no interlace)."""
    import struct
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    h = ctype = 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            w, h, _, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    colours: set[bytes] = set()
    prev = bytearray(stride)
    i = 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):  # undo the PNG row filter
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 7):
            colours.add(bytes(line[x:x + 3]))
        prev = line
    return len(colours)


def test_the_ladder_in_headless_chromium(tmp_path):
    port = _free_port()
    srv = _serve(port, "--", "BTCUSDT")
    browser = None
    try:
        url = srv.stdout.readline().strip()
        assert url == f"http://127.0.0.1:{port}/", url
        t0 = time.monotonic()
        while True:  # the server is up when the page answers
            try:
                page = urllib.request.urlopen(url, timeout=2).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() - t0 < 30, "dom serve did not answer"
                time.sleep(0.3)
        assert "textual" in page and "/ws" in page
        browser, devtools = _start_chromium(tmp_path)
        text, png = asyncio.run(_cdp_page(devtools, url, 15))
    finally:
        if browser is not None:
            browser.kill()
        srv.terminate()
        srv.wait(20)
    # The screen the browser received: the status bar, the panels, and the ladder's prices
    # (the built-in market's BTCUSDT trades near 60,000 with a tick of 1).
    assert "BTCUSDT" in text and "Alerts" in text and "Tape" in text, text[-2000:]
    prices = {int(p) for p in re.findall(r"\b(5\d{4}|6\d{4})\b", text)}
    assert len(prices) >= 15, sorted(prices)[:40]
    assert "book synced" in text
    assert _distinct_colours(png) >= 8, "the terminal was not drawn"


def test_off_loopback_a_token_is_required(tmp_path):
    port = _free_port()
    srv = subprocess.Popen([*DOM, "serve", "--host", "0.0.0.0", "--port", str(port), "--public-url",
                            f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = srv.stdout.readline().strip()
        m = re.fullmatch(rf"http://127\.0\.0\.1:{port}/\?token=([A-Za-z0-9_-]{{20,}})", url)
        assert m, url
        t0 = time.monotonic()
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                pytest.fail("the page was served without its token")
            except urllib.error.HTTPError as e:
                assert e.code == 401
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() - t0 < 30
                time.sleep(0.3)
        for bad in ("x" * 24, "", m.group(1)[:-1]):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={bad}", timeout=5)
            assert e.value.code == 401
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ws", timeout=5)
        r = urllib.request.urlopen(url, timeout=5)
        assert r.status == 200 and "dom_token=" in r.headers.get("Set-Cookie", "")
    finally:
        srv.terminate()
        srv.wait(20)
