"""The preview web server: the output folder under a sub-path, with the reload script in every page.

A threaded :mod:`http.server` from the standard library: a preview has one reader, and the
pages are static files. Responses are never cached, so a reload always shows the newest build.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import html
import json
import posixpath
import sys
import urllib.parse
from pathlib import Path

from digestgen.serve.reload import EVENTS, ReloadState, inject

_MISSING_PAGE = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>未找到</title></head>'
                 '<body><h1>未找到 (not found)</h1><p>{path}</p></body></html>')


class ServeError(Exception):
    """The server cannot start (the port is in use, say); the message says what to do."""


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a waiting page never keeps the program alive

    def __init__(self, address: tuple[str, int], root: Path, base: str, state: ReloadState):
        self.root = root
        self.base = base
        self.state = state
        super().__init__(address, functools.partial(_Handler, directory=str(root)))

    def handle_error(self, request, client_address) -> None:
        """A browser that leaves a page mid-answer (a reload) is normal; anything else gets one line."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"error: while answering a request: {exc!r}", file=sys.stderr)


def make_server(host: str, port: int, root: Path, base: str, state: ReloadState) -> PreviewServer:
    """Bind the server (not yet serving); raise :class:`ServeError` when the address cannot be used."""
    try:
        return PreviewServer((host, port), root, base, state)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use (is another server running?); "
                             f"stop it or choose another port with --port N") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"not allowed to listen on port {port}; choose a port above 1023 with --port N") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                         "check --bind and --port") from None


def normalise_base(base: str) -> str:
    """``digest`` / ``/digest`` / ``/digest/`` -> ``/digest/``; empty -> ``/``."""
    parts = [p for p in base.strip().split("/") if p]
    return "/" + "".join(urllib.parse.quote(p) + "/" for p in parts)


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: PreviewServer

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal is for build messages; requests are not worth a line each

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _respond(self, body: bool) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path == EVENTS:
            return self._events(url.query, body)
        base = self.server.base
        if not path.startswith(base):
            if path in ("/", "") or path + "/" == base:
                return self._redirect(base)
            return self._missing(path, body)
        relative = urllib.parse.unquote(path[len(base):])
        target = Path(self.translate_path("/" + urllib.parse.quote(relative)))
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        if not target.is_file() or _hidden(relative):
            return self._missing(path, body)
        try:
            data = target.read_bytes()
        except OSError:  # the site was being swapped for a new build; the reload will come
            return self._missing(path, body)
        self._send(200, self.guess_type(str(target)), data, body)

    def _send(self, status: int, ctype: str, data: bytes, body: bool) -> None:
        if ctype == "text/html":
            data = inject(data, self.server.state.snapshot())
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _missing(self, path: str, body: bool) -> None:
        page = self.server.root / "404.html"
        try:
            data = page.read_bytes()
        except OSError:
            data = _MISSING_PAGE.format(path=html.escape(path)).encode("utf-8")
        self._send(404, "text/html", data, body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self, query: str, body: bool) -> None:
        try:
            since = int(urllib.parse.parse_qs(query).get("since", ["-1"])[0])
        except ValueError:
            since = -1
        now = self.server.state.wait(since)
        data = json.dumps(now, ensure_ascii=False).encode("utf-8")
        with contextlib.suppress(OSError):  # the page was closed or reloaded while it waited
            self._send(200, "application/json", data, body)


def _hidden(relative: str) -> bool:
    """The manifest and other dot-files are the builder's, not the site's."""
    return any(part.startswith(".") for part in posixpath.normpath(relative).split("/") if part != ".")


def url_for(server: PreviewServer) -> str:
    host, port = server.server_address[:2]
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else str(host)
    return f"http://{shown}:{port}{server.base}"
