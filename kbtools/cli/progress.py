"""The progress of a long index build on stderr, for the commands that may build one."""

from __future__ import annotations

import sys
import time
from typing import Any

# Builds smaller than this are quick: they print nothing, on a terminal or off it.
PROGRESS_FROM = 500


class StderrProgress:
    """Progress of a large build on stderr. On a terminal: one line rewritten in place, entries read
    so far, then the seconds spent writing the index (a ticker: Whoosh's writer reports nothing
    while it writes the postings), then the total time. Off a terminal (a log, CI): one line when
    the build starts and one when it ends."""

    def __init__(self) -> None:
        self.started = 0.0
        self._stop: Any = None

    def __call__(self, done: int, total: int, phase: str) -> None:
        if total < PROGRESS_FROM:
            return
        tty = sys.stderr.isatty()
        if phase == "start":
            self.started = time.monotonic()
            if not tty:
                print(f"kb: indexing {total} entries", file=sys.stderr, flush=True)
        elif phase == "reading" and tty:
            print(f"\rkb: indexing: {done}/{total} entries read", end="", file=sys.stderr, flush=True)
        elif phase == "writing" and tty:
            self._tick(total)
        elif phase == "done":
            if self._stop is not None:
                stop, lock = self._stop
                with lock:  # the ticker prints nothing after this
                    stop.set()
                self._stop = None
            line = f"kb: indexed {total} entries in {time.monotonic() - self.started:.1f} s"
            print(f"\r{line}\x1b[K" if tty else line, file=sys.stderr, flush=True)

    def _tick(self, total: int) -> None:
        import threading

        stop, lock = threading.Event(), threading.Lock()
        self._stop = (stop, lock)
        writing = time.monotonic()

        def show() -> None:
            print(f"\rkb: indexing: {total}/{total} entries read, writing the index "
                  f"({time.monotonic() - writing:.0f} s)", end="", file=sys.stderr, flush=True)

        def run() -> None:
            while not stop.wait(1.0):
                with lock:
                    if not stop.is_set():
                        show()

        show()
        threading.Thread(target=run, daemon=True).start()


def stderr_progress(done: int, total: int, phase: str) -> None:
    """The progress of the build this process is running, on stderr (see :class:`StderrProgress`)."""
    _STDERR_PROGRESS(done, total, phase)


_STDERR_PROGRESS = StderrProgress()
