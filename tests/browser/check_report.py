#!/usr/bin/env python3
"""Checks a costfront HTML report in headless Chromium, as a person would open it.

Usage: check_report.py REPORT_DIR SCREENSHOT.png [MIN_CHARTS]

Drives Debian's chromium through the DevTools protocol over a pipe (--remote-debugging-pipe: NUL-separated JSON on
file descriptors 3 and 4), so it needs nothing beyond the Python standard library. It loads REPORT_DIR/index.html
from disk, fails when the page logs a console error or throws, when a chart (an <img> of an .svg) is missing, fails
to decode or has zero size, or when fewer than MIN_CHARTS charts are present; it always saves a full-page
screenshot. Exit 0 when every check passes, 1 otherwise, 2 when Chromium cannot be started.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if exe is None:
            raise RuntimeError("chromium not found (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="cf-chromium-")
        to_child_r, self.to_child_w = os.pipe()
        self.from_child_r, from_child_w = os.pipe()

        def wire():
            # Chromium reads commands from fd 3 and writes answers to fd 4; move the pipe ends out of the way
            # first in case they already sit on 3 or 4.
            a = os.dup(to_child_r)
            b = os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "about:blank"]
        self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=wire,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.read(deadline - time.time())
            if m is None:
                break
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise RuntimeError(f"{method}: no answer from chromium within {timeout} s")

    def read(self, timeout):
        import select
        while b"\0" not in self.buf:
            r, _, _ = select.select([self.from_child_r], [], [], max(timeout, 0.01))
            if not r:
                return None
            chunk = os.read(self.from_child_r, 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for e in self.events:
                if e.get("method") == method:
                    return e
            m = self.read(deadline - time.time())
            if m is None:
                break
            self.events.append(m)
        return None

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


CHART_JS = """(() => {
  const imgs = Array.from(document.querySelectorAll('img'));
  return JSON.stringify({
    title: document.title,
    charset: document.characterSet,
    sections: document.querySelectorAll('section, h2').length,
    charts: imgs.filter(i => /\\.svg$/.test(i.getAttribute('src') || '')).map(i => {
      const r = i.getBoundingClientRect();
      return {src: i.getAttribute('src'), complete: i.complete, natural: [i.naturalWidth, i.naturalHeight],
              box: [r.width, r.height]};
    }),
    height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)
  });
})()"""


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    report = os.path.abspath(sys.argv[1])
    shot = sys.argv[2]
    min_charts = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    index = os.path.join(report, "index.html")
    if not os.path.isfile(index):
        print(f"FAIL: {index} does not exist")
        return 1
    try:
        b = Browser()
    except Exception as e:  # no chromium, cannot start
        print(f"cannot start chromium: {e}", file=sys.stderr)
        return 2
    failures = []
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for dom in ("Page", "Runtime", "Log"):
            b.send(dom + ".enable", session=session)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
        b.send("Page.navigate", {"url": "file://" + index}, session=session)
        if b.wait_event("Page.loadEventFired", 30) is None:
            failures.append("the page did not finish loading within 30 s")
        time.sleep(0.5)  # let images decode
        res = b.send("Runtime.evaluate", {"expression": CHART_JS, "returnByValue": True}, session=session)
        info = json.loads(res["result"]["value"])
        for e in b.events:
            m = e.get("method")
            p = e.get("params", {})
            if m == "Runtime.exceptionThrown":
                failures.append("exception: " + json.dumps(p.get("exceptionDetails", {}).get("text")))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                failures.append("console error: " + json.dumps([a.get("value") for a in p.get("args", [])]))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                failures.append("log error: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        if info["charset"].upper() != "UTF-8":
            failures.append(f"document charset is {info['charset']}, expected UTF-8")
        if len(info["charts"]) < min_charts:
            failures.append(f"{len(info['charts'])} charts found, expected at least {min_charts}")
        for c in info["charts"]:
            if not c["complete"] or min(c["natural"]) <= 0 or min(c["box"]) <= 0:
                failures.append(f"chart {c['src']} is missing or has zero size: {c}")
        height = min(max(int(info["height"]), 900), 16000)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        png = b.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        print(f"title: {info['title']!r}; {len(info['charts'])} charts, each drawn with a non-zero size; "
              f"screenshot {shot} ({height} px tall)")
    except Exception as e:
        failures.append(f"browser check failed: {e}")
    finally:
        b.close()
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
