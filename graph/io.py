"""Output helpers: atomic writes and ``-`` for standard output."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def atomic_write(target, data, *, encoding="utf-8"):
    """Write *data* (str or bytes) to *target* atomically; ``-`` writes to stdout.

    The data goes to a temporary file in the target's folder, which is then renamed over the
    target, so a failure never leaves a half-written or truncated file behind.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "a.txt", "héllo")
    >>> (d / "a.txt").read_text(encoding="utf-8")
    'héllo'
    """
    if isinstance(data, str):
        data = data.encode(encoding)
    if str(target) == "-":
        out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if out is None:
            sys.stdout.write(data.decode(encoding))
        else:
            out.write(data)
            out.flush()
        return
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
