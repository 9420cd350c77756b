"""Safe output: atomic writes that never replace an input, a symlink or a folder thbkg doesn't own.

Every file thbkg writes goes through :func:`atomic_write`; every folder it fills goes through
:func:`prepare_output_dir`. The rules (issue "nothing lost, nothing let in"):

* nothing is written onto an input table or into an input folder of the run
  (:func:`protect_inputs` records them as they are read);
* a symbolic link is not replaced unless ``follow_symlinks`` is set (then its target is written);
* an existing file keeps its permission bits;
* temporary files and swap folders carry a recognisable name, ``.thbkg-tmp-<pid>-<random>-<name>``,
  so that a run killed midway leaves nothing that a later run won't sweep; only names of that
  form whose process is gone are ever removed.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from thbkg.graph.errors import ThbkgError, UsageError

TMP_PREFIX = ".thbkg-tmp-"
_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-[0-9a-f]+-")
OUTPUT_MARKER = ".thbkg-output"

_inputs: set[Path] = set()
_follow_symlinks = False


def protect_inputs(*paths) -> None:
    """Record *paths* (tables, data folders, stores) as inputs of this run: no output may replace them."""
    for path in paths:
        if path is not None and str(path) not in ("", "-", "memory"):
            _inputs.add(_real(Path(path)))


def start_run() -> None:
    """Forget the inputs and settings of an earlier run in this process (each CLI command is one run)."""
    _inputs.clear()
    set_follow_symlinks(False)


def protected_inputs() -> frozenset:
    """The inputs recorded so far (resolved paths)."""
    return frozenset(_inputs)


def set_follow_symlinks(value: bool) -> None:
    """Allow outputs to be written through a symbolic link (``--follow-symlinks``)."""
    global _follow_symlinks
    _follow_symlinks = bool(value)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _clashes_with_input(target: Path) -> Path | None:
    """The input that writing *target* would replace or write into, if any."""
    real = _real(target)
    for item in _inputs:
        if real == item or item in real.parents or real in item.parents:
            return item
    return None


def check_output(target, *, folder: bool = False) -> Path:
    """Refuse an output path that would replace an input, a symlink or (for files) a folder.

    Returns the path to write to: *target* itself, or the symlink's target when symlinks are followed.

    >>> check_output("-")
    PosixPath('-')
    """
    target = Path(target)
    if str(target) == "-":
        return target
    if target.is_symlink():
        if not _follow_symlinks:
            raise UsageError(f"{target} is a symbolic link; thbkg does not write through links "
                             "(give another path, or add --follow-symlinks)")
        target = _real(target)
    clash = _clashes_with_input(target)
    if clash is not None:
        what = "folder" if clash.is_dir() else "table"
        raise UsageError(f"refusing to write {target}: it is an input {what} of this run ({clash}); "
                         "choose another output path")
    if not folder and target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name (e.g. {target / 'out'})")
    return target


def temp_name(name: str) -> str:
    """A per-run temporary name for *name*, recognisable by :func:`sweep_stale`."""
    return f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{name}"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(folder) -> list[Path]:
    """Remove thbkg's own temporary files and folders in *folder* whose process is gone."""
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _TMP_NAME.match(entry.name)
        if match is None or process_alive(int(match.group(1))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            try:
                entry.unlink()
            except OSError:
                continue
        removed.append(entry)
    return removed


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_stdout(data: bytes, encoding: str) -> None:
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if out is None:
        sys.stdout.write(data.decode(encoding))
    else:
        out.write(data)
        out.flush()


def atomic_write(target, data, *, encoding="utf-8"):
    """Write *data* (str or bytes) to *target* atomically; ``-`` writes to stdout.

    The data goes to a temporary file in the target's folder, which is then renamed over the
    target, so a failure never leaves a half-written or truncated file behind. The target must
    pass :func:`check_output`; an existing target keeps its permission bits.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "a.txt", "héllo")
    >>> (d / "a.txt").read_text(encoding="utf-8")
    'héllo'
    """
    if isinstance(data, str):
        data = data.encode(encoding)
    target = check_output(target)
    if str(target) == "-":
        _write_stdout(data, encoding)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target.parent)
    mode = target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode()
    tmp = target.parent / temp_name(target.name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):  # name the file the user asked for, not our temporary one
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise


def prepare_output_dir(folder, produces=()) -> Path:
    """Make *folder* ready to receive thbkg's files, or refuse it.

    A folder is thbkg's own when it is new, empty, carries thbkg's marker file, or holds only files
    named in *produces* (what the command writes there). Anything else is the user's and is refused.
    """
    folder = check_output(folder, folder=True)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; give a folder for this output (e.g. {folder.parent / 'out'}/)")
    if folder.is_dir():
        foreign = [p.name for p in folder.iterdir()
                   if p.name not in produces and p.name != OUTPUT_MARKER and not _TMP_NAME.match(p.name)]
        if foreign and not (folder / OUTPUT_MARKER).is_file():
            shown = ", ".join(sorted(foreign)[:3]) + (" …" if len(foreign) > 3 else "")
            raise UsageError(f"{folder} holds files thbkg did not write ({shown}); "
                             "give a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / OUTPUT_MARKER
    if not marker.exists():
        marker.write_text("This folder is written by thbkg; its files may be replaced by the next run.\n",
                          encoding="utf-8")
    return folder


@contextmanager
def exclusive_lock(path, *, wait: float = 60.0, what: str = "this output"):
    """Hold an exclusive lock on the file *path* (created if missing) while the block runs.

    A second process waits up to *wait* seconds, then gives up with a message saying the output is busy.
    """
    import fcntl
    import time

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ThbkgError(f"{what} is busy: another thbkg process is writing it "
                                     f"(lock {path}); try again when it has finished") from None
                if not told:
                    print(f"Waiting for another thbkg process writing {what}…", file=sys.stderr)
                    told = True
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


SWAP_OLD = ".swap-old"


def swap_folder(new, target) -> None:
    """Put the folder *new* in place of *target*; afterwards *new* holds the former folder, if any.

    Linux swaps the two in one atomic step (``renameat2(RENAME_EXCHANGE)``); elsewhere two renames are
    made, and a run killed between them leaves the former folder set aside under a temporary name that
    :func:`restore_set_aside` puts back.
    """
    new, target = Path(new), Path(target)
    if not target.exists():
        os.rename(new, target)
        return
    if exchange_folders(new, target):
        return
    aside = target.parent / (temp_name(target.name) + SWAP_OLD)
    os.rename(target, aside)
    os.rename(new, target)
    os.rename(aside, new)


def exchange_folders(first, second) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    import ctypes

    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(second))


def restore_set_aside(target, marker: str) -> None:
    """Put back a folder holding *marker* that a run killed inside :func:`swap_folder` left set aside."""
    target = Path(target)
    if target.exists() or not target.parent.is_dir():
        return
    pattern = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-[0-9a-f]+-" + re.escape(target.name + SWAP_OLD) + "$")
    for entry in sorted(target.parent.iterdir()):
        match = pattern.match(entry.name)
        if match and not process_alive(int(match.group(1))) and (entry / marker).is_file():
            os.rename(entry, target)
            return


# errno -> what the user can do about it
_FIXES = {
    errno.EACCES: "check its permissions or choose another path",
    errno.EPERM: "check its permissions or choose another path",
    errno.EROFS: "the file system is read-only; choose another path",
    errno.ENOSPC: "the disk is full; free some space or choose another path",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another path",
    errno.EFBIG: "the file is larger than this system allows (see 'ulimit -f'); choose a smaller output",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
    errno.ENOENT: "it does not exist; check the path",
    errno.ELOOP: "it is a loop of symbolic links; check the path",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter path",
    errno.ENXIO: "it is not a regular file; give a regular file",
}


def os_error_message(exc: OSError) -> str:
    """One line for an OSError: the path, what went wrong, and the fix.

    >>> os_error_message(PermissionError(13, "Permission denied", "/x/out.ttl"))
    '/x/out.ttl: Permission denied (check its permissions or choose another path)'
    """
    path = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or type(exc).__name__
    fix = _FIXES.get(exc.errno or -1)
    where = f"{path}: " if path else ""
    return f"{where}{reason}" + (f" ({fix})" if fix else "")
