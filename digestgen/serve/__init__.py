"""``digestgen serve``: build, serve the site, rebuild on every save and reload the open page.

- :mod:`digestgen.serve.server`: the web server (the output folder under a sub-path).
- :mod:`digestgen.serve.watcher`: watchfiles on articles, templates, static files and the config.
- :mod:`digestgen.serve.reload`: the generation the open pages wait on, and their reload script.

A rebuild is the ordinary build with its cache, so unchanged articles are not analysed again.
A rebuild that finds an error writes nothing: the last good site stays served, and the error
is printed and shown over the open page until it is fixed.
"""
from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from digestgen.bodies import BodyMissing
from digestgen.config import Config, ConfigError, load_config
from digestgen.paths import display_path
from digestgen.pipeline import BuildError, Memory, build
from digestgen.render import RenderError
from digestgen.serve.reload import ReloadState
from digestgen.serve.server import ServeError, make_server, normalise_base, url_for
from digestgen.serve.watcher import changes, watched_paths
from digestgen.write import WriteError

__all__ = ["Preview", "ServeError", "serve"]


@dataclass
class Preview:
    """What ``serve`` builds and watches."""

    config_path: Path
    articles_dir: Path | None = None
    output_dir: Path | None = None
    drafts: bool = True
    jobs: int | None = None
    memory: Memory = field(default_factory=Memory)
    """Articles parsed and analysed by earlier builds of this server (see ``pipeline.Memory``)."""

    def config(self) -> Config:
        config = load_config(self.config_path)
        return replace(config, articles_dir=(self.articles_dir or config.articles_dir).resolve(),
                       output_dir=(self.output_dir or config.output_dir).resolve())

    def build(self, first: bool, say: Callable[[str], None]) -> tuple[tuple[str, ...], int]:
        """Build once and print what it found; return the error messages for the page overlay
        and the number of files written.

        The first build writes what it can, as ``build`` does, so there is a site to show;
        later ones write nothing when an article has an error, keeping the last good site.
        """
        try:
            report = build(self.config_path, articles_dir=self.articles_dir, output_dir=self.output_dir,
                           drafts=self.drafts, jobs=self.jobs, keep_site_on_errors=not first, memory=self.memory)
        except ConfigError as exc:
            for problem in exc.problems:
                say(str(problem))
            say("not built: fix the config file; still serving the last good site")
            return tuple(str(p) for p in exc.problems if p.level == "error"), 0
        except (BuildError, RenderError, WriteError, BodyMissing) as exc:
            if isinstance(exc, BodyMissing):  # what it kept in memory stands for entries no longer there
                self.memory = Memory()
            say(f"error: {exc}")
            say("not built; still serving the last good site")
            return (str(exc),), 0
        for problem in report.problems:
            if first or problem.level != "note":  # notes once; a rebuild shows what needs fixing
                say(str(problem))
        errors = tuple(str(p) for p in report.problems if p.level == "error")
        if report.kept:
            say(f"not written: {report.errors} errors; still serving the last good site")
        else:
            say(report.summary())
        return errors, report.files


def serve(preview: Preview, *, host: str, port: int, base: str, say: Callable[[str], None]) -> None:
    """Build, then serve until Ctrl-C; raise :class:`ServeError` or ``ConfigError`` if it cannot start."""
    config = preview.config()  # ConfigError here stops the command: there is nothing to watch yet
    state = ReloadState()
    server = make_server(host, port, config.output_dir, normalise_base(base), state)
    stop = threading.Event()
    building = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    parent = os.getpid()

    def interrupted(signum, frame) -> None:
        # During a build (and in its worker processes, which inherit this handler) the build
        # finishes first, so no worker dies mid-task; otherwise, or at a second Ctrl-C, stop now.
        if os.getpid() != parent:
            return
        if not building.is_set() or stop.is_set():
            stop.set()
            raise KeyboardInterrupt
        stop.set()
        os.write(sys.stdout.fileno(), b"stopping once this build is done (Ctrl-C again stops now)\n")

    signal.signal(signal.SIGINT, interrupted)
    thread: threading.Thread | None = None
    settler = _Settler(building)
    try:
        folders = [config.articles_dir, config.templates_dir, config.static_dir]
        batches = changes(folders, preview.config_path, stop)  # watching from before the first build
        state.publish(_build(preview, True, building, say)[0])
        settler.soon()
        thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
        thread.start()
        watched = watched_paths(folders, preview.config_path)
        say(f"serving {display_path(config.output_dir)}/ at {url_for(server)}")
        say(f"watching {', '.join(display_path(p) for p in watched)}; press Ctrl-C to stop")
        errors = state.errors
        for changed in batches:
            if stop.is_set():
                break
            shown = [display_path(p) for p in changed]
            say(f"changed: {', '.join(shown[:5])}{f' and {len(shown) - 5} more' if len(shown) > 5 else ''}")
            new_errors, written = _build(preview, False, building, say)
            if new_errors or errors or written:  # nothing new to show otherwise
                state.publish(new_errors)
            errors = new_errors
            settler.soon()
            if stop.is_set():
                break
    except KeyboardInterrupt:
        pass
    finally:
        settler.cancel()
        stop.set()  # ends the watchers
        signal.signal(signal.SIGINT, previous)
        state.close()
        if thread is not None:
            server.shutdown()
        server.server_close()
    say("stopped")


def _build(preview: Preview, first: bool, building: threading.Event,
           say: Callable[[str], None]) -> tuple[tuple[str, ...], int]:
    building.set()
    try:
        return preview.build(first, say)
    finally:
        building.clear()


SETTLE_SECONDS = 1.0
"""How long after a build is published its garbage is collected: after the open pages reloaded,
since a full collection holds the interpreter for most of a second and the server waits meanwhile."""


class _Settler:
    """Runs :func:`_settle` once things are quiet: :data:`SETTLE_SECONDS` after the last build was
    published, unless another build is running by then (its publication schedules it again)."""

    def __init__(self, building: threading.Event) -> None:
        self.building = building
        self.timer: threading.Timer | None = None

    def soon(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = threading.Timer(SETTLE_SECONDS, self._run)
        self.timer.daemon = True
        self.timer.start()

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def _run(self) -> None:
        if not self.building.is_set():
            _settle()


def _settle() -> None:
    """After a build has been published: collect its garbage once, then keep what the server keeps
    between builds (the site model, the analysis: millions of objects that live as long as it does)
    out of the garbage collector's full passes, which would otherwise take most of a second at
    random moments of the next rebuilds."""
    gc.collect()
    gc.freeze()

