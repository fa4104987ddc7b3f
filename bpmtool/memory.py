"""Handing freed memory back to the operating system between the phases of a big job.

A check of a million events reads the log, then builds per-event arrays for the handoff
analysis, then imports pm4py and replays the variants.  Each phase frees what it built, but
the freed memory stays with the process unless asked for: Arrow's pool keeps blocks for
reuse, and glibc keeps freed holes in its heap.  The peak of the whole job is then the sum
of the phases' high-water marks instead of the largest of them.
"""

from __future__ import annotations

__all__ = ["give_back_freed_memory"]


def give_back_freed_memory() -> None:
    """Return what the process freed to the operating system (Arrow's pool, glibc's
    ``malloc_trim``); nothing to do on other platforms."""
    import contextlib
    import ctypes
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to ask
            ctypes.CDLL("libc.so.6").malloc_trim(0)
