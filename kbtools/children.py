"""Worker processes of an index build die with the build, however it ends.

A large build forks workers twice: a process pool that reads and checks entries
(:func:`kbtools.document.load_documents`) and Whoosh's multi-process writer. Neither library
stops its workers when the parent is killed (``kill -9``, ``kill -TERM``): they wait on their
queues for ever, and as forked copies they kept the index's write lock held, so that every later
search and ``kb index`` hung. Nor does an interrupted parent stop them: Whoosh's ``cancel()`` only
flags its own copy of each worker, and at exit ``multiprocessing`` joins workers that never end.

So, while :func:`reaped` is active, every forked child (whatever forks it) asks the kernel for
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``, Linux), closes its copy of the write lock,
and ignores SIGINT: a Ctrl-C to the process group is the parent's to handle, and prints no
KeyboardInterrupt traceback from each worker. SIGINT is held back while a fork is under way, and
delivered at the parent's next :func:`checkpoint`. When the build raises (an interrupt, a full disk),
the parent terminates the children it started and waits for them.

This covers children started by ``fork``: Linux's default start method before Python 3.14, and
the one the entry-reading pool asks for explicitly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>

_guard: dict[str, int] = {}  # while a build runs: the building process's pid, and its lock's fd
_hooked = False


def _before_fork() -> None:
    # A SIGINT that lands inside the fork hooks (the parent's or the child's) becomes an
    # "Exception ignored" traceback and is lost: hold it back until the child ignores it and the
    # parent reaches a safe point (checkpoint).
    if _guard and not _guard.get("blocked"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        _guard["blocked"] = 1


def checkpoint() -> None:
    """A safe point of the parent: deliver a SIGINT held back while it forked."""
    if _guard.pop("blocked", None):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _in_child() -> None:
    parent = _guard.get("pid")
    if parent is None:
        return
    fd = _guard.get("fd")
    _guard.clear()
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)  # the lock is the parent's alone: it must end when the parent does
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # one held back is dropped now
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request above was in place
        os._exit(1)


@contextlib.contextmanager
def reaped(lock_fd: int | None = None) -> Iterator[None]:
    """Make the children forked inside the block die with this process, and stop them if the
    block raises. ``lock_fd`` is closed in each child."""
    global _hooked
    import multiprocessing

    if not _hooked:
        os.register_at_fork(before=_before_fork, after_in_child=_in_child)
        _hooked = True
    before = set(multiprocessing.active_children())
    _guard.update(pid=os.getpid(), **({"fd": lock_fd} if lock_fd is not None else {}))
    try:
        yield
        checkpoint()
    except BaseException:
        checkpoint_quietly()
        started = [child for child in multiprocessing.active_children() if child not in before]
        for child in started:
            with contextlib.suppress(Exception):
                child.kill()
        for child in started:
            with contextlib.suppress(Exception):
                child.join(timeout=5)
        raise
    finally:
        checkpoint_quietly()
        _guard.clear()


def checkpoint_quietly() -> None:
    """Unblock SIGINT where raising is no use (already unwinding): a held-back one is dropped."""
    if _guard.get("blocked"):
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            checkpoint()
        finally:
            signal.signal(signal.SIGINT, previous)
