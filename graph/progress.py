"""A small progress indicator on stderr for steps that may take more than about a second.

Nothing is drawn when stderr is not a terminal (pipes, files, CI logs, tests), and nothing is
drawn for steps that finish within ``delay`` seconds, so quick commands stay quiet.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager


def stderr_is_tty() -> bool:
    """Whether standard error is an interactive terminal."""
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


#: Characters of one progress line (fits a standard 120-column terminal).
LINE_WIDTH = 118
_ACTIVE: list = []          # open indicators, outermost first; nested ones report through the outermost
_LOCK = threading.Lock()


class Progress:
    """Progress over ``length`` steps, shown on stderr after ``delay`` seconds (TTY only).

    A background thread redraws the line twice a second, so the elapsed time keeps moving
    during one long step. An indicator opened while another is open draws nothing itself; its
    state appears after the outer one's (``report [##--] 2/6 centrality | centrality 1/3
    betweenness``). Use :func:`progress` rather than this class directly.

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
        self._stop = threading.Event()
        self._ticker = None
        self.parent = _ACTIVE[0] if _ACTIVE else None
        _ACTIVE.append(self)
        if self.enabled and self.parent is None:
            self._ticker = threading.Thread(target=self._tick, name="thbkg-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._draw()

    def update(self, steps: int = 1, item: str = "") -> None:
        """Advance by *steps*; *item* names what is being worked on next."""
        self.done += steps
        self.item = item
        self._refresh()

    def set_item(self, item: str) -> None:
        """Say what is being worked on (redrawn if already visible)."""
        self.item = item
        self._refresh()

    def _refresh(self) -> None:
        (self.parent or self)._draw()

    def status(self) -> str:
        """This indicator's text, e.g. ``centrality [######------] 1/3 betweenness``."""
        if self.length:
            width = 12
            filled = int(width * min(self.done, self.length) / self.length)
            return f"{self.label} [{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.length} {self.item}"
        return f"{self.label} {self.item}"

    def _draw(self, final: bool = False) -> None:
        if not self.enabled or self.parent is not None:
            return
        elapsed = time.monotonic() - self._started
        if not self._drawn and (final or elapsed < self.delay):
            return
        nested = [bar.status() for bar in _ACTIVE[1:]]
        clock = f" ({elapsed:.0f} s)"  # cut the text, never the clock, to fit one line
        line = " | ".join([self.status(), *nested])[:LINE_WIDTH - len(clock)] + clock
        with _LOCK:
            self._drawn = True
            sys.stderr.write("\r" + line.ljust(LINE_WIDTH))
            sys.stderr.flush()

    def close(self) -> None:
        """Stop redrawing; finish the line if anything was drawn."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if self.parent is None:
            self._draw(final=True)
            if self._drawn:
                with _LOCK:
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


class Laps:
    """Seconds each step took: call it with a step's name when the step ends; kept in *timings* (a dict).

    >>> timings = {}
    >>> lap = Laps(timings)
    >>> lap("first step")
    >>> list(timings)
    ['first step']
    """

    def __init__(self, timings: dict | None, start: float | None = None):
        import time

        self.timings, self.last = timings, time.perf_counter() if start is None else start

    def __call__(self, name: str) -> None:
        import time

        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = round(now - self.last, 2)
        self.last = now
