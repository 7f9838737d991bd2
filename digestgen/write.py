"""Write stage: :class:`OutputFile` values + the static folder -> the output folder, all or nothing.

Every new or changed file is first written into a staging folder beside the output folder. A
first build, or one that changes much of the site, then swaps the staging folder into place in
one atomic step (the two folders are exchanged with ``renameat2(RENAME_EXCHANGE)``), so a crash
or a kill never leaves a half-written site, nor none. A build that changes a few files (an edit)
moves them into the site one atomic rename each, after writing a journal that lets the next
build finish the update if this one is killed midway: a page is always whole, old or new.
Only a folder this tool made (it carries a marker file) is ever replaced.

Writing holds a lock (``flock`` on the folder that holds the output folder), so two builds into
one folder take turns; under it, the leftovers of builds that were killed are removed first. A
file of the last build is reused only when its size and modification time are still those the
manifest recorded. An operating-system error (disk full, read-only, no permission) becomes a
:class:`WriteError` that says what to do.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import itertools
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from digestgen.model import MovedFile, OutputFile, ReusedFile, StreamedFile

MARKER = ".digestgen-site"


class WriteError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def check_output_dir(out: Path, project_root: Path, sources: Iterable[Path]) -> None:
    """Refuse an output folder that is or holds the project, or is, holds or sits in a source folder."""
    out = out.resolve()
    overlaps = [project_root.resolve()] if out == project_root.resolve() or out in project_root.resolve().parents \
        else []
    for place in sources:
        place = place.resolve()
        if out == place or out in place.parents or place in out.parents:
            overlaps.append(place)
    if overlaps:
        raise WriteError(f"refusing to write the site to {out}: it would overlap {overlaps[0]}; "
                         "set 'output' in digest.yaml or --out to a folder of its own, such as site/")
    if out.exists() and not out.is_dir():
        raise WriteError(f"{out} exists and is not a folder; choose another output folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise WriteError(f"{out} already holds files that digestgen did not write; empty it or choose "
                         "another output folder (digestgen only replaces folders it made)")


def read_manifest(out: Path) -> dict:
    """What the last build recorded in the output folder (empty when unknown or unreadable)."""
    try:
        data = json.loads((out / MARKER).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def site_intact(out: Path, manifest: dict, jobs: int = 1) -> bool:
    """Whether every file the manifest lists is in ``out`` with the size and time it recorded
    (``jobs``: processes to look over, for a large site)."""
    files, stats = manifest.get("files"), manifest.get("stats")
    if not isinstance(files, dict) or not isinstance(stats, dict) or files.keys() != stats.keys():
        return False
    return not Looking(out, manifest, jobs).changed()


def _not_as_left_in(shared: tuple[str, list, dict], span: tuple[int, int]) -> list:
    """Those of ``paths[span[0]:span[1]]`` under ``root`` not as ``stats`` recorded them (in a worker
    of :class:`Looking`, or in the caller's process)."""
    root, paths, stats = shared
    return [path for path in paths[span[0]:span[1]] if not _same_file(f"{root}/{path}", stats.get(path))]


IN_PLACE_SHARE = 0.25
"""When at most this share of the last build's files changes, the site is updated in place (see
:func:`_commit`); otherwise a whole new folder is swapped in."""


def recover(out: Path) -> None:
    """Finish or remove what a killed build left beside ``out`` (see :func:`remove_leftovers`), so
    that a build plans from the site as it stands."""
    out = out.resolve()
    if not out.parent.is_dir() or not any(out.parent.glob(f".{out.name}.staging-*")):
        return
    with os_errors(out), output_lock(out):
        remove_leftovers(out)


def _stream_to(target: Path, chunks: Iterable[bytes]) -> str:
    """Write ``chunks`` to ``target``; return the hash of the whole, as for any other file."""
    h = hashlib.blake2b(digest_size=16)
    with open(target, "wb") as out:
        for chunk in chunks:
            h.update(chunk)
            out.write(chunk)
    return h.hexdigest()


def manifest_stamp(out: Path) -> tuple[int, int, int] | None:
    """The status of the output folder's manifest (size, time, inode): every build replaces it."""
    try:
        info = os.stat(out / MARKER)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


class NotAsLeft(Exception):
    """A file of the last build that was to be kept is no longer as that build left it (nothing was
    written)."""


def write_site(files: Iterable[OutputFile | ReusedFile | StreamedFile | MovedFile], static_dir: Path | None, out: Path,
               record: dict | None = None, digests: dict[str, str] | None = None,
               known: tuple[tuple[int, int, int] | None, dict, dict[str, str]] | None = None,
               keep_rest: bool = False) -> int:
    """Write the whole site to ``out`` atomically; return the number of files written anew.

    A file whose bytes are the same as in the previous build is kept as it is, so its
    modification time shows it did not change; so is a :class:`ReusedFile` (a file not rendered
    again because what it shows did not change), which is made only if the previous file is no
    longer as the last build left it. ``record`` is kept in the manifest; ``digests``, when given,
    receives the hash of every file of the site. ``known`` is what the caller read of the last
    build (the manifest's :func:`manifest_stamp`, the manifest, and :func:`reusable`'s answer): used
    if the manifest is still the one it read, so the folder is not checked twice. With
    ``keep_rest``, every other file of the last build is kept as it is (``files`` are the ones that
    may have changed); if one is not as that build left it, :class:`NotAsLeft` is raised.
    """
    out = out.resolve()
    with os_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        with output_lock(out):
            try:
                remove_leftovers(out)
                return _write(files, static_dir, out, record, {} if digests is None else digests, known, keep_rest)
            finally:  # what makes the files finishes (or stops, on a failure) while the lock is held
                close = getattr(files, "close", None)
                if close is not None:
                    close()


def _write(files: Iterable[OutputFile | ReusedFile | StreamedFile | MovedFile], static_dir: Path | None, out: Path, record: dict | None,
           digests: dict[str, str], known: tuple | None = None, keep_rest: bool = False) -> int:
    if known is not None and known[0] is not None and known[0] == manifest_stamp(out):
        manifest_before, previous = known[1], known[2]
    elif keep_rest:  # the caller planned from a site another build has written since
        raise NotAsLeft(MARKER)
    else:
        manifest_before = read_manifest(out) if out.is_dir() else {}
        previous = reusable(out, manifest_before)
    found_stats = manifest_before.get("stats")
    old_stats: dict = found_stats if isinstance(found_stats, dict) else {}
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        written, stats = 0, {}
        kept: list[str] = []
        folders: set[Path] = set()

        def staged(path: str) -> Path:
            """Where ``path`` goes in the staging folder, its folder made (one mkdir per folder)."""
            target = staging / path
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            return target

        for f in itertools.chain(files, _static_files(static_dir)):
            _safe(f.path)
            if isinstance(f, ReusedFile):
                if previous.get(f.path) == f.digest:
                    digests[f.path] = f.digest
                    kept.append(f.path)
                    continue
                f = OutputFile(f.path, f.make())
            if isinstance(f, StreamedFile):  # written piece by piece, then kept only if it changed
                content, target = None, staged(f.path)
                digest = _stream_to(target, f.chunks())
            elif isinstance(f, MovedFile):  # written whole by a worker: moved in, kept only if it changed
                content, target, digest = None, staged(f.path), f.digest
                os.replace(f.source, target)
            else:
                content, digest = f.content, hashlib.blake2b(f.content, digest_size=16).hexdigest()
            digests[f.path] = digest
            if previous.get(f.path) == digest:
                if content is None:
                    target.unlink()
                kept.append(f.path)
                continue
            if content is not None:
                target = staged(f.path)
                target.write_bytes(content)
            written += 1
            info = target.stat()
            stats[f.path] = (info.st_size, info.st_mtime_ns)  # written as a JSON list
        listed = manifest_before.get("files")
        if keep_rest:
            for path, digest in (listed if isinstance(listed, dict) else {}).items():
                if path not in digests:
                    if previous.get(path) != digest:
                        raise NotAsLeft(path)
                    digests[path] = digest
                    kept.append(path)
        for path in kept:
            stats[path] = old_stats[path]
        gone = [path for path in (listed if isinstance(listed, dict) else {}) if path not in digests]
        manifest = {"generator": "digestgen", "note": "written by digestgen and replaced on every build",
                    "files": digests, "stats": stats, **(record or {})}
        in_place = bool(previous) and written + len(gone) <= IN_PLACE_SHARE * max(len(previous), 1)
        if not in_place:
            for path in kept:  # the unchanged files of the last build, linked into the new folder
                target = staged(path)
                if not _link(out / path, target):
                    shutil.copy2(out / path, target)
            _write_json(staging / MARKER, manifest)
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site must be readable
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if in_place:
        _commit(staging, out, sorted(stats.keys() - set(kept)), gone, manifest)
    else:
        _swap(staging, out)
    return written


JOURNAL = ".digestgen-journal"
"""In a staging folder: the files to move into the site and the manifest, written before the
first move, so a build killed while updating the site in place is finished by the next one."""


def _commit(staging: Path, out: Path, changed: list[str], gone: list[str], manifest: dict) -> None:
    """Update ``out`` in place: move the changed files in, remove the files the site no longer has.

    Every new file is complete in ``staging`` before the first one is moved; each move is one
    atomic rename, so a page is always either its old or its new version. The journal written
    first lets :func:`remove_leftovers` finish the update if the process is killed midway.
    """
    _write_json(staging / MARKER, manifest)
    journal = staging / JOURNAL
    tmp = staging / (JOURNAL + ".tmp")
    tmp.write_text(json.dumps({"changed": changed, "gone": gone}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, journal)  # from here on, the update is finished even if this process is killed
    _finish(staging, out, (changed, gone, manifest["files"]))


MANIFEST_PART = 10_000
"""Entries of the manifest's lists of files encoded at a time (see :func:`_write_json`)."""


def _write_json(path: Path, value: dict) -> None:
    """``value`` as ``json.dumps`` writes it, into ``path`` a part at a time: the manifest lists
    every file of the site twice (327,789 at 100,000 articles), and its text made whole took a
    hundred megabytes beside the build's own memory."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("{")
        for n, (key, item) in enumerate(value.items()):
            f.write((", " if n else "") + json.dumps(key, ensure_ascii=False) + ": ")
            if isinstance(item, dict) and len(item) > MANIFEST_PART:
                pairs = iter(item.items())
                f.write("{")
                first = True
                while part := dict(itertools.islice(pairs, MANIFEST_PART)):
                    f.write(("" if first else ", ") + json.dumps(part, ensure_ascii=False)[1:-1])
                    first = False
                f.write("}")
            else:
                f.write(json.dumps(item, ensure_ascii=False))
        f.write("}")


def _finish(staging: Path, out: Path, plan: tuple[list[str], list[str], dict] | None = None) -> None:
    """Carry out the journal of ``staging`` on ``out`` (again, if it was started), then remove it.
    ``plan`` is what the journal and the manifest in ``staging`` hold (changed, gone, the manifest's
    files), when the caller has just written them: they are not read back (at 100,000 articles the
    manifest is tens of megabytes)."""
    if plan is None:
        data = json.loads((staging / JOURNAL).read_text("utf-8"))
        plan = data["changed"], data["gone"], json.loads((staging / MARKER).read_text("utf-8"))["files"]
    changed, gone, wanted = plan
    root = str(out)
    for path in changed:
        source, target = f"{staging}/{path}", f"{root}/{path}"
        if os.path.lexists(source):
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            try:
                os.replace(source, target)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(source, target)
            except (IsADirectoryError, NotADirectoryError):
                _clear_way(out, path)
                os.replace(source, target)
    for path in gone:  # what the site no longer has, and the folders that leaves empty
        if path not in wanted:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{root}/{path}")
            folder = os.path.dirname(path)
            while folder:
                try:
                    os.rmdir(f"{root}/{folder}")
                except OSError:  # not empty: it still holds pages
                    break
                folder = os.path.dirname(folder)
    os.replace(staging / MARKER, out / MARKER)
    shutil.rmtree(staging, ignore_errors=True)


def _clear_way(out: Path, path: str) -> None:
    """Remove a file standing where a folder of ``path`` must be (a page that became a folder)."""
    parts = PurePosixPath(path).parts
    for i in range(1, len(parts)):
        at = out.joinpath(*parts[:i])
        if at.is_file() or at.is_symlink():
            at.unlink()
    os.makedirs((out / path).parent, exist_ok=True)


def reusable(out: Path, manifest: dict | None = None, jobs: int = 1) -> dict[str, str]:
    """Digest of each file of the last build that is still as that build left it (size and time);
    ``jobs``: processes to look over, for a large site."""
    if not out.is_dir():
        return {}
    return Looking(out, read_manifest(out) if manifest is None else manifest, jobs)()


BACKGROUND_CHECK = 10_000
"""From this many files, :class:`Looking` looks them over in worker processes (each look is a system
call: 327,789 of them took a second at 100,000 articles; two processes took 0.08 s for 38,960 files
where one took 0.11 s)."""


class Looking:
    """The files of the last build, as its ``manifest`` lists them, looked over in ``out``: in
    ``jobs`` worker processes when there are many, while the caller goes on with other work.
    :meth:`changed` and calling the object wait for the answer; ``cancel()`` stops the workers,
    should the caller not need it after all."""

    def __init__(self, out: Path, manifest: dict, jobs: int = 1) -> None:
        self._changed: set[str] | None = None
        self._workers: list = []
        files, stats = manifest.get("files"), manifest.get("stats")
        if not isinstance(files, dict) or not isinstance(stats, dict):
            self._files: dict = {}
            self._changed = set()
            return
        self._root, self._files, self._stats = str(out), files, stats
        self._listed = [path for path in files if isinstance(path, str)]
        if not out.is_dir():  # every file is gone
            self._changed = set(self._listed)
        elif jobs > 1 and len(self._listed) >= BACKGROUND_CHECK:
            from digestgen.parallel import background
            size = -(-len(self._listed) // jobs)
            try:
                for at in range(0, len(self._listed), size):
                    self._workers.append(background(_not_as_left_in, (self._root, self._listed, stats),
                                                    (at, min(at + size, len(self._listed)))))
            except Exception:  # processes cannot be started here: the caller's process looks, when asked
                self.cancel()

    def changed(self) -> set[str]:
        """The files not as the last build left them (size and modification time)."""
        if self._changed is None:
            workers, self._workers = self._workers, []
            if workers:
                try:
                    self._changed = {path for worker in workers for path in worker()}
                except BaseException as exc:  # a worker failed: this process looks over them all
                    for worker in workers:
                        worker.cancel()
                    if not isinstance(exc, Exception):  # stopped (Ctrl-C): no worker is left behind
                        raise
            if self._changed is None:
                self._changed = set(_not_as_left_in((self._root, self._listed, self._stats), (0, len(self._listed))))
        return self._changed

    def __call__(self) -> dict[str, str]:
        """:func:`reusable`'s answer: the digest of each file still as the last build left it."""
        changed = self.changed()
        return {path: digest for path, digest in self._files.items()
                if isinstance(path, str) and isinstance(digest, str) and path not in changed}

    def cancel(self) -> None:
        for worker in self._workers:
            worker.cancel()
        self._workers = []


def _same_file(path: str, recorded: object) -> bool:
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return False
    return (isinstance(recorded, list) and len(recorded) == 2 and stat.S_ISREG(info.st_mode)
            and [info.st_size, info.st_mtime_ns] == recorded)


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold an exclusive lock for writing ``out``: a second build into it waits for the first.

    The lock is ``flock`` on the folder holding ``out`` (so no lock file is left behind); the
    kernel releases it when the process ends, however it ends.
    """
    fd = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build writing {out} to finish...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def refresh_manifest(out: Path, stamp: tuple[int, int, int] | None, manifest: dict) -> None:
    """Replace the manifest of ``out`` by ``manifest`` (the same site, recorded anew) if it is still
    the one :func:`manifest_stamp` gave ``stamp`` and no other build is writing the site. An aid
    only: otherwise, or on any failure, it is left as it was."""
    out = out.resolve()
    try:
        fd = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another build writing: it records the site itself
        if stamp is None or manifest_stamp(out) != stamp:
            return
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
        try:  # (a build killed meanwhile leaves a staging folder, which the next build removes)
            _write_json(staging / MARKER, manifest)
            os.replace(staging / MARKER, out / MARKER)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_leftovers(out: Path) -> list[Path]:
    """Remove staging and old folders that killed builds left beside ``out``; return them.

    Call it holding :func:`output_lock`. If a build was killed between the two renames of the
    fallback swap (see :func:`_swap`), ``out`` is missing and its last complete version is put back.
    """
    leftovers = sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))
    for path in leftovers:  # an in-place update killed after its journal was written: finish it
        if (path / JOURNAL).is_file() and os.path.isdir(out):
            _finish(path, out)
    if not os.path.lexists(out):
        olds = [p for p in leftovers if ".old-" in p.name and (p / MARKER).is_file()]
        if olds:
            newest = max(olds, key=lambda p: (p / MARKER).stat().st_mtime_ns)
            newest.rename(out)
            leftovers.remove(newest)
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
    return leftovers


@contextlib.contextmanager
def os_errors(out: Path):
    """Turn an operating-system error while writing into a :class:`WriteError` saying what to do."""
    try:
        yield
    except OSError as exc:
        raise WriteError(explain_os_error(exc, out)) from exc


def explain_os_error(exc: OSError, out: Path) -> str:
    where = exc.filename or out
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"the disk holding {out.parent} is full; free some space and build again"
    if exc.errno == errno.EROFS:
        return f"{out.parent} is on a read-only file system; choose another output folder with --out"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"no permission to change {where}; check the permissions of {out.parent} and {out} "
                "(and any immutable flag: lsattr -d)")
    return f"cannot write {where}: {exc.strerror or exc}"


def _static_files(static_dir: Path | None) -> list[OutputFile]:
    return [OutputFile(path, source.read_bytes()) for path, source in static_paths(static_dir)]


def static_paths(static_dir: Path | None) -> list[tuple[str, Path]]:
    """Each file of the static folder: its path in the site and the file."""
    if not static_dir or not static_dir.is_dir():
        return []
    return [(f"static/{p.relative_to(static_dir).as_posix()}", p) for p in sorted(static_dir.rglob("*")) if p.is_file()]


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` in the place of ``out``.

    Where the file system can exchange two folders in one step (Linux ext4, xfs, btrfs, tmpfs...),
    ``out`` is complete at every moment. Elsewhere it is moved aside and the new one moved in;
    a kill between those two renames leaves ``out`` missing until the next build puts it back.
    """
    if not os.path.lexists(out):
        staging.rename(out)
        return
    try:
        exchanged = _exchange(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if exchanged:  # staging now holds the previous site
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = _retire(out)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; False where the system or file system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to load
        return None


def _retire(out: Path) -> Path:
    """Move ``out`` aside (the first step of the fallback swap); return where it went."""
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    return old


def _safe(path: str) -> None:
    if path.startswith("/") or ".." in path.split("/"):
        raise WriteError(f"internal error: output path {path!r} leaves the output folder")
