"""Live reload: the build's state as the open pages see it, and the script that watches it.

Every rebuild publishes a new *generation* with the errors it found (empty when the site is
good). A served HTML page carries a small script, added to the response only (never to the
files in the output folder), which long-polls :data:`EVENTS` with the generation it was served
at: a good new generation reloads the page, one with errors shows them in an overlay over the
page, which stays as it was (the last good site is still being served).
"""
from __future__ import annotations

import json
import threading

EVENTS = "/__digestgen__/wait"
"""The private path the script polls; it never clashes with a page (the site has no such folder)."""
WAIT_SECONDS = 20.0
"""How long one poll is held open when nothing happens; the script then asks again."""


class ReloadState:
    """The current generation and its errors, shared by the build loop and the request threads."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.generation = 0
        self.errors: tuple[str, ...] = ()
        self.closed = False

    def publish(self, errors: tuple[str, ...]) -> None:
        """A build finished: wake every waiting page."""
        with self._changed:
            self.generation += 1
            self.errors = tuple(errors)
            self._changed.notify_all()

    def snapshot(self) -> dict:
        with self._changed:
            return {"generation": self.generation, "errors": list(self.errors)}

    def wait(self, since: int, timeout: float = WAIT_SECONDS) -> dict:
        """The state once its generation differs from ``since`` (or after ``timeout`` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != since or self.closed, timeout)
            return {"generation": self.generation, "errors": list(self.errors)}

    def close(self) -> None:
        """The server is stopping: let every waiting request return."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


_SCRIPT = """<script id="digestgen-reload">
(function () {
  var state = %(state)s;
  function overlay(errors) {
    var old = document.getElementById("digestgen-overlay");
    if (old) old.remove();
    if (!errors.length) return;
    var box = document.createElement("div");
    box.id = "digestgen-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;z-index:2147483647;left:0;right:0;top:0;max-height:70vh;overflow:auto;" +
      "margin:0;padding:1em 1.2em;background:#fff5f5;color:#5c0000;border-bottom:4px solid #c00;" +
      "box-shadow:0 4px 16px rgba(0,0,0,.3);font:14px/1.5 monospace;text-align:left";
    var head = document.createElement("strong");
    head.textContent = "构建出错,显示的是上一次成功的版本 (build failed; showing the last good site)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "close");
    close.style.cssText = "float:right;font-size:18px;border:0;background:none;cursor:pointer";
    close.onclick = function () { box.remove(); };
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:.6em 0 0";
    list.textContent = errors.join("\\n");
    box.appendChild(close);
    box.appendChild(head);
    box.appendChild(list);
    document.body.appendChild(box);
  }
  function poll() {
    fetch("%(events)s?since=" + state.generation, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (now) {
        if (now.generation !== state.generation) {
          if (!now.errors.length) { location.reload(); return; }
          state = now;
          overlay(now.errors);
        }
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { overlay(state.errors); });
  } else {
    overlay(state.errors);
  }
  poll();
})();
</script>
"""


def reload_script(state: dict) -> bytes:
    """The ``<script>`` element for a page served at ``state``."""
    data = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return (_SCRIPT % {"state": data, "events": EVENTS}).encode("utf-8")


def inject(html: bytes, state: dict) -> bytes:
    """``html`` with the reload script added before its last ``</body>`` (or at the end)."""
    script = reload_script(state)
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]
