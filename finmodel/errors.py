"""The one exception family of finmodel, and the command line's exit statuses.

Every error finmodel raises on purpose is a :class:`FinmodelError`:
:class:`InputError` (also a ``ValueError``) for anything wrong in what it
was given (input files, overrides, ``--set``, command-line values, an
edited workbook), :class:`ReportError` when a report cannot be written.
Neither ever leaves a file changed on disk.
"""

from __future__ import annotations

from dataclasses import dataclass

#: exit statuses of the ``finmodel`` command
EXIT_OK = 0
EXIT_USAGE = 2  # argparse: unknown command or option, missing or malformed option value
EXIT_INPUT = 3  # InputError: a value, file or workbook given is wrong
EXIT_REPORT = 4  # ReportError: the report cannot be written (open, read-only, disk full)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141  # the reader of the output went away, e.g. `| head` (128 + SIGPIPE)


class FinmodelError(Exception):
    """Base of every error finmodel raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is, what was found, what is allowed."""

    file: str
    field: str
    message: str

    def __post_init__(self) -> None:
        if not self.field.strip():  # an empty TOML key or override name: show it quoted
            object.__setattr__(self, "field", repr(self.field))

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class InputError(FinmodelError, ValueError):
    """Invalid inputs; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the inputs:\n{lines}")


class ReportError(FinmodelError, RuntimeError):
    """The report could not be written; the previous report (if any) is untouched."""


def check_path(value, where: str, what: str = "a file path") -> list[Problem]:
    """Problems with a path given by a user: not a text, empty, or holding a NUL byte (no OS accepts one)."""
    import os

    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        return [Problem(where, "(path)", f"{value!r:.80} is a {type(value).__name__}; allowed: {what} as a text or pathlib.Path")]
    text = os.fspath(value)
    if not str(text).strip():
        return [Problem(where, "(path)", f"{text!r} is empty; allowed: {what}")]
    if "\0" in str(text):
        return [Problem(where, "(path)", f"{text!r:.80} holds a NUL byte; allowed: {what} without one")]
    return []
