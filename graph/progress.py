"""Progress on stderr for work that may take more than about a second.

On a terminal a bar is redrawn in place; otherwise (pipes, files, CI logs) a plain line is written
each time the work moves to another phase. Nothing appears for work that ends within ``delay``
seconds (half a second), so quick commands stay quiet, and nothing at all with ``--quiet`` or
``THBKG_QUIET=1``. With a known number of steps, the bar gives an estimate of the time left.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from contextlib import contextmanager

QUIET_ENV = "THBKG_QUIET"
#: seconds of work before anything is shown (so the bar is up within a second of the command's start)
FIRST_DRAW = 0.5
#: lines mode: a phase gets its line once it has lasted this long
PHASE_LINE_AFTER = 0.2
#: seconds for both of the above (0: every phase at once), for scripts and tests that want every line
DELAY_ENV = "THBKG_PROGRESS_DELAY"


def _delay_override() -> float | None:
    text = os.environ.get(DELAY_ENV, "").strip()
    try:
        return max(0.0, float(text)) if text else None
    except ValueError:
        return None
_QUIET: list[bool] = []  # set by --quiet for the command running in this process


def set_quiet(value: bool) -> None:
    """Silence (or not) all progress output of this process; ``--quiet`` calls it."""
    _QUIET[:] = [value]


def quiet() -> bool:
    """Whether progress output is off: ``--quiet``, or ``THBKG_QUIET`` set to a true value."""
    if _QUIET:
        return _QUIET[0]
    return os.environ.get(QUIET_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def progress_mode() -> str:
    """``off`` (quiet), ``bar`` (stderr is a terminal) or ``lines`` (a line per phase)."""
    if quiet():
        return "off"
    return "bar" if stderr_is_tty() else "lines"


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
    """Progress over ``length`` steps, shown on stderr after ``delay`` seconds (see the module).

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

    def __init__(self, length: int | None, label: str, delay: float = FIRST_DRAW, enabled: bool | None = None):
        self.length = length
        self.label = label
        self.delay = delay
        self.mode = progress_mode() if enabled is None else ("bar" if enabled else "off")
        override = _delay_override()
        if override is not None:
            self.delay = override
        self.line_after = PHASE_LINE_AFTER if override is None else override
        self.enabled = self.mode != "off"
        self.done = 0
        self.item = ""
        self._started = time.monotonic()
        self._drawn = False
        self._last_line = self._pending = ""
        self._pending_since = 0.0
        self._stop = threading.Event()
        self._ticker = None
        self.parent = _ACTIVE[0] if _ACTIVE else None
        _ACTIVE.append(self)
        if self.enabled and self.parent is None:
            self._ticker = threading.Thread(target=self._tick, name="thbkg-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self._draw()

    def update(self, steps: int = 1, item: str = "") -> None:
        """Advance by *steps*; *item* names what is being worked on next."""
        self.done += steps
        self.item = item
        self._refresh()

    def eta(self) -> float | None:
        """Seconds left, from the pace so far (None until a step is done, or without a length).

        >>> bar = Progress(4, "x", enabled=False)
        >>> bar._started -= 10; bar.done = 1
        >>> round(bar.eta())
        30
        >>> bar.close()
        """
        if not self.length or not self.done or self.done >= self.length:
            return None
        elapsed = time.monotonic() - self._started
        return elapsed / self.done * (self.length - self.done)

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
            eta = self.eta()
            left = f" (about {_duration(eta)} left)" if eta is not None and self.done * 10 >= self.length else ""
            return f"{self.label} [{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.length} {self.item}".rstrip() + left
        return f"{self.label} {self.item}".rstrip()

    def _draw(self, final: bool = False) -> None:
        if not self.enabled or self.parent is not None:
            return
        elapsed = time.monotonic() - self._started
        if not self._drawn and (final or elapsed < self.delay):
            return
        nested = [bar.status() for bar in _ACTIVE[1:]]
        if self.mode == "lines":
            self._write_line(" | ".join([self.status(), *nested]), elapsed, final)
            return
        clock = f" ({elapsed:.0f} s)"  # cut the text, never the clock, to fit one line
        line = " | ".join([self.status(), *nested])[:LINE_WIDTH - len(clock)] + clock
        with _LOCK:
            self._drawn = True
            sys.stderr.write("\r" + line.ljust(LINE_WIDTH))
            sys.stderr.flush()

    def _write_line(self, text: str, elapsed: float, final: bool) -> None:
        """Lines mode: one line per phase (the text without its bar and estimate), written once the
        phase has lasted :data:`PHASE_LINE_AFTER` seconds, so passing states leave no line."""
        phase = _PHASE_NOISE.sub("", text)
        if final or phase == self._last_line:
            return
        if phase != self._pending:
            self._pending, self._pending_since = phase, elapsed
            if self.line_after:
                return
        if elapsed - self._pending_since < self.line_after:
            return
        with _LOCK:
            self._drawn, self._last_line = True, phase
            sys.stderr.write(f"{phase} ({self._pending_since:.0f} s)\n")
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
            if self._drawn and self.mode == "bar":
                with _LOCK:
                    sys.stderr.write("\n")
                    sys.stderr.flush()


_PHASE_NOISE = re.compile(r" \[[#-]+\]| \(about [^)]*left\)| \d+/\d+")


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min`` or ``1 h 05 min``.

    >>> _duration(42.4), _duration(185), _duration(3900)
    ('42 s', '3 min', '1 h 05 min')
    """
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


@contextmanager
def progress(length: int | None, label: str, delay: float = FIRST_DRAW, enabled: bool | None = None):
    """Context manager yielding a :class:`Progress`; drawn on stderr only when it is a TTY
    and the work lasts longer than *delay* seconds."""
    bar = Progress(length, label, delay=delay, enabled=enabled)
    try:
        yield bar
    finally:
        bar.close()


def track(iterable, label: str, length: int | None = None, delay: float = FIRST_DRAW):
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
