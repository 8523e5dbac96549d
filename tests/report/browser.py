"""Open a page in headless Chromium and report what a person would see: console errors, images that did
not decode, a screenshot. Talks the DevTools protocol over ``--remote-debugging-pipe`` (fds 3 and 4,
NUL-separated JSON), so it needs only the stdlib and Debian's ``chromium`` package."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    return next((p for c in CANDIDATES if (p := shutil.which(c))), None)


class _CDP:
    def __init__(self, binary: str, profile: str) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds_3_and_4() -> None:
            # The child reads commands on fd 3 and writes replies and events on fd 4. Copy both pipe ends
            # above 10 first, so moving one onto 3 cannot clobber the other.
            r, w = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=fds_3_and_4)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def close(self) -> None:
        # Browser.close lets Chromium stop its helper processes; a plain kill leaves them writing to
        # the profile folder while it is being deleted.
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)


def inspect_page(path: Path, binary: str) -> dict[str, Any]:
    """Load ``path``; return console errors, image checks, the page height and a PNG screenshot."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        cdp = _CDP(binary, profile)
        try:
            target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
            s = cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                cdp.call(f"{domain}.enable", s)
            cdp.call("Page.navigate", s, url=path.resolve().as_uri())
            cdp.wait_for("Page.loadEventFired")
            images = cdp.call("Runtime.evaluate", s, returnByValue=True, awaitPromise=True, expression="""
                Promise.all([...document.images].map(i => i.decode().then(() => 0, () => 0)))
                  .then(() => [...document.images].map(i => [i.alt, i.naturalWidth, i.naturalHeight]))
            """)["result"]["value"]
            screenshot = base64.b64decode(cdp.call("Page.captureScreenshot", s, format="png")["data"])
            errors = []
            for e in cdp.events:
                p = e.get("params", {})
                if e.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                    errors.append(json.dumps(p.get("args")))
                elif e.get("method") == "Runtime.exceptionThrown":
                    errors.append(json.dumps(p.get("exceptionDetails")))
                elif e.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                    errors.append(p["entry"].get("text", ""))
            return {"errors": errors, "images": images, "screenshot": screenshot}
        finally:
            cdp.close()
