"""The inputs folder and its TOML files: reading them, and checking a table's keys and texts.

Each reader adds what it finds wrong to a list of :class:`Problem` (file,
field, what was found and what is allowed) and goes on, so that one
InputError lists every problem at once.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from finmodel.errors import InputError, Problem, check_path

DEFAULT_INPUTS_DIR = Path(__file__).resolve().parent.parent / "data" / "inputs"


def inputs_folder(inputs_dir: Path | str | None) -> Path:
    """The inputs folder (None: the shipped defaults); InputError unless it is an existing folder."""
    if inputs_dir is None:
        return DEFAULT_INPUTS_DIR
    allowed = "a folder holding plan.toml, phases.toml, scenarios.toml and announcements.toml"
    problems = check_path(inputs_dir, "inputs_dir", allowed)
    if not problems and not Path(inputs_dir).is_dir():
        state = "is a file" if Path(inputs_dir).exists() else "does not exist"
        problems.append(Problem(str(inputs_dir), "(folder)", f"{state}; allowed: {allowed}"))
    if problems:
        raise InputError(problems)
    return Path(inputs_dir)


def read_toml(path: Path, problems: list[Problem]) -> dict:
    """The TOML file as a dict ({} and a problem if it cannot be read); a UTF-8 byte-order mark is accepted, as in CSV."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        problems.append(Problem(str(path), "(file)", "file not found"))
    except OSError as exc:
        problems.append(Problem(str(path), "(file)", f"cannot be read: {exc}"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), "(syntax)", f"not UTF-8 text ({exc}); allowed: a UTF-8 TOML file"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(str(path), "(syntax)", f"not valid TOML: {exc}"))
    except RecursionError:
        problems.append(Problem(str(path), "(syntax)", "not valid TOML: nested too deeply"))
    return {}


def as_table(value: Any, file: str, where: str, what: str, problems: list[Problem]) -> dict:
    """``value`` if it is a table, else {} and a problem."""
    if isinstance(value, dict):
        return value
    problems.append(Problem(file, where, f"expected {what}, got {brief(value)}"))
    return {}


def brief(value: Any) -> str:
    """repr of a value, cut to 80 characters for error messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _nearest(name: str, known) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


def unknown_name(name: str, known: list[str]) -> str:
    """'unknown name ...', with the nearest known name as a suggestion."""
    close = _nearest(name, known)
    return f"unknown name {name!r}" + (f" (did you mean {close!r}?)" if close else "")


def check_texts(table: dict, keys, file: str, prefix: str, problems: list[Problem]) -> None:
    """A problem for each of ``keys`` in ``table`` that is not a text (labels, notes)."""
    for key in keys:
        if key in table and not isinstance(table[key], str):
            problems.append(Problem(file, f"{prefix}{key}", f"{brief(table[key])} is not a text; allowed: a text"))


def check_keys(table: dict, known, file: str, prefix: str, problems: list[Problem], *,
               list_known: bool = True, typos: bool = False) -> set[str]:
    """A problem for each key of ``table`` not in ``known``, with the nearest known key (and every known key if ``list_known``).

    ``typos``: an unknown key whose nearest known key is absent is taken for
    that key mistyped; the problem says so, and the known keys so taken are
    returned (for the caller not to report them missing again).
    """
    taken = set()
    for key in table:
        if key in known:
            continue
        close = _nearest(key, known)
        typo = typos and close is not None and close not in table
        if typo:
            taken.add(close)
        problems.append(Problem(file, f"{prefix}{key}", unknown_name(str(key), list(known))
                                + (f"; {close!r} is missing" if typo else "")
                                + (f"; allowed: {', '.join(known)}" if list_known else "")))
    return taken
