"""A small progress indicator on stderr for steps that may take more than about a second.

Nothing is drawn when stderr is not a terminal (pipes, files, CI logs, tests), and nothing is
drawn for steps that finish within ``delay`` seconds, so quick commands stay quiet.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager


def stderr_is_tty() -> bool:
    """Whether standard error is an interactive terminal."""
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """Progress over ``length`` steps, shown on stderr after ``delay`` seconds (TTY only).

    Use :func:`progress` rather than this class directly.

    >>> with progress(3, "counting") as bar:
    ...     for _ in range(3):
    ...         bar.update(1)
    >>> bar.done
    3
    """

    def __init__(self, length: int | None, label: str, delay: float = 1.0, enabled: bool | None = None):
        self.length = length
        self.label = label
        self.delay = delay
        self.enabled = stderr_is_tty() if enabled is None else enabled
        self.done = 0
        self.item = ""
        self._started = time.monotonic()
        self._drawn = False

    def update(self, steps: int = 1, item: str = "") -> None:
        """Advance by *steps*; *item* names what is being worked on next."""
        self.done += steps
        self.item = item
        self._draw()

    def set_item(self, item: str) -> None:
        """Say what is being worked on (redrawn if already visible)."""
        self.item = item
        self._draw()

    def _draw(self, final: bool = False) -> None:
        if not self.enabled:
            return
        if not self._drawn and time.monotonic() - self._started < self.delay and not final:
            return
        if final and not self._drawn:
            return
        self._drawn = True
        elapsed = time.monotonic() - self._started
        if self.length:
            width = 24
            filled = int(width * min(self.done, self.length) / self.length)
            bar = f"[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.length}"
        else:
            bar = f"{self.done}"
        line = f"{self.label} {bar} {self.item} ({elapsed:.0f} s)"
        sys.stderr.write("\r" + line[:110].ljust(110))
        sys.stderr.flush()

    def close(self) -> None:
        """Finish the line if anything was drawn."""
        self._draw(final=True)
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


@contextmanager
def progress(length: int | None, label: str, delay: float = 1.0, enabled: bool | None = None):
    """Context manager yielding a :class:`Progress`; drawn on stderr only when it is a TTY
    and the work lasts longer than *delay* seconds."""
    bar = Progress(length, label, delay=delay, enabled=enabled)
    try:
        yield bar
    finally:
        bar.close()


def track(iterable, label: str, length: int | None = None, delay: float = 1.0):
    """Iterate over *iterable* with a progress indicator (see :func:`progress`).

    >>> list(track(range(3), "steps"))
    [0, 1, 2]
    """
    if length is None:
        try:
            length = len(iterable)
        except TypeError:
            length = None
    with progress(length, label, delay=delay) as bar:
        for item in iterable:
            bar.set_item(str(item))
            yield item
            bar.update(1)
