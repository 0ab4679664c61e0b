"""An editable copy of the default inputs: ``finmodel init DIR``.

The default inputs ship inside the package (``finmodel/data/inputs``), where
an installed package should not be edited. :func:`init_inputs` copies them
to a folder of the user's; ``--inputs-dir DIR`` (CLI) or ``inputs_dir=DIR``
(API) then read that copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from finmodel.errors import FinmodelError
from finmodel.inputs import DEFAULT_INPUTS_DIR


class InitError(FinmodelError, RuntimeError):
    """The folder cannot take a copy of the inputs (not empty, or not writable)."""


def init_inputs(folder: Path | str) -> Path:
    """Copy the default inputs (TOML files and curves) into ``folder`` and return it.

    ``folder`` may be new or an empty folder; a non-empty folder is refused,
    so nothing a user edited is ever overwritten.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not a folder" if not folder.is_dir() else "is not empty"
        raise InitError(f"{folder} {what}: give a new or empty folder (nothing is overwritten)")
    try:
        shutil.copytree(DEFAULT_INPUTS_DIR, folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    except OSError as exc:
        raise InitError(f"cannot copy the inputs to {folder}: {exc.strerror or exc}") from exc
    return folder
