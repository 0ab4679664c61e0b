"""Progress of slow steps on stderr, for people at a terminal only.

A log or a pipe gets nothing (no bar redrawn into a file); ``--quiet``
turns it off at a terminal too.
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Callable, ContextManager, Iterator

#: a step reporter: ``with step("building the workbook"): ...``
Step = Callable[[str], ContextManager[None]]


def on_terminal(quiet: bool = False) -> bool:
    """Whether to show progress: stderr is a terminal and not ``quiet``."""
    return not quiet and sys.stderr.isatty()


def no_step(what: str) -> ContextManager[None]:
    """A step that says nothing."""
    return contextlib.nullcontext()


def steps(enabled: bool) -> Step:
    """A step reporter writing ``<what> ... 1.2 s`` lines to stderr, or :func:`no_step` when not ``enabled``."""
    if not enabled:
        return no_step

    @contextlib.contextmanager
    def step(what: str) -> Iterator[None]:
        print(f"{what} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        yield
        print(f"{what}: done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)

    return step
