"""Read the Inputs sheet of a report that a user edited back into Python.

The selected scenario column's values (and the curves) replace the inputs
of ``inputs/``; they are validated like any override, and an error names
the workbook and the cell. A value typed over an input's live formula
(column D) is what the workbook computes with, so it is taken, in place of
the scenario column's. The file is checked before it is parsed (size, size
unpacked, XML that parses), so a corrupt or hostile file gives an
InputError, never a traceback or an exhausted memory. Only the Inputs
sheet is parsed.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any, Mapping
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from finmodel.excel.inputs_sheet import FIRST_SCENARIO_COL, HEADER, LIVE_COL, NAME_COL, SCENARIO_CELL, SHEET
from finmodel.errors import InputError, Problem, check_path
from finmodel.inputs import Inputs, brief, check_value, list_scenarios, load_inputs
from finmodel.listing import excel_name
from finmodel.spec import CURVE_SPECS
from finmodel.timeline import to_serial

#: limits checked before parsing [bytes]; a default report is about 2 MB, 15 MB unpacked, no part above 4 MB
MAX_FILE_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 300 * 2**20  # every part together, counted while unpacking (a zip's sizes may lie)
MAX_PART_BYTES = 100 * 2**20  # any one part, shared strings included
STRUCTURE = ("model_start", "model_periods")  # fixed when the workbook is written
INPUT_NAME = re.compile(r"[a-z][a-z0-9_]*")  # an input row's name (section rows are sentences)
ALLOWED = "an .xlsx report written by finmodel"


def read_inputs_from_workbook(path: Path | str, *, inputs_dir: Path | str | None = None,
                              overrides: Mapping[str, Any] | None = None, overrides_source: str = "overrides") -> Inputs:
    """Inputs as the workbook's Inputs sheet holds them in its selected scenario column.

    ``overrides`` go on top of the workbook's values; ``overrides_source``
    names them in error messages (``--set``), a workbook value's error names its cell.
    """
    path = _checked_file(path)
    grid = _inputs_grid(path)
    file = str(path)
    selected, col = _selected_column(grid, file)
    values, cells, curves, structure = {}, {}, {}, {}
    problems = []
    for row in range(HEADER + 1, len(grid) + 1):
        name, live = grid.get(row, NAME_COL), grid.get(row, LIVE_COL)
        if not isinstance(name, str) or not INPUT_NAME.fullmatch(name):
            continue  # titles, sections, notes
        if name in STRUCTURE:
            structure[name] = (row, live)
        elif name.endswith(("_years", "_values")) and name.rsplit("_", 1)[0] in CURVE_SPECS:
            curves[name] = (row, grid.row_values(row, FIRST_SCENARIO_COL))
        elif isinstance(live, str) and live.startswith("=INDEX("):
            values[name], cells[name] = grid.get(row, col), f"{SHEET}!{get_column_letter(col)}{row}"
        elif live is None or isinstance(live, str) and live.startswith("="):
            problems.append(Problem(file, f"{SHEET}!{get_column_letter(LIVE_COL)}{row} ({name})",
                                    f"Live value {brief(live)}; allowed: the formula =INDEX(...) the report wrote, or a "
                                    "value typed over it"))
        else:  # typed over the live formula: the workbook computes with it
            values[name], cells[name] = live, f"{SHEET}!{get_column_letter(LIVE_COL)}{row}"
    if problems:
        raise InputError(problems)

    known = set(list_scenarios(inputs_dir).name)
    base = selected if selected in known else None
    try:
        inputs = load_inputs(base, inputs_dir=inputs_dir, overrides=values, overrides_source=file)
    except InputError as exc:
        raise InputError([_locate(p, file, cells) for p in exc.problems]) from None
    if overrides:  # the workbook's values are valid: a problem now is the overrides'
        inputs = load_inputs(base, inputs_dir=inputs_dir, overrides={**values, **overrides}, overrides_source=overrides_source)
    _check_structure(file, structure, inputs)
    inputs.curves = _curves(file, curves, inputs)
    if base is None:
        inputs.scenario, inputs.scenario_label = str(selected), f"{selected} (read from {path.name})"
    return inputs


class _Grid:
    """The values of one sheet by (row, column), 1-based; formulas as their text."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row: int, col: int) -> Any:
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else ()
        return cells[col - 1] if 0 < col <= len(cells) else None

    def row_values(self, row: int, first: int) -> list[tuple[int, Any]]:
        """(column, value) from column ``first`` to the first empty cell."""
        out, col = [], first
        while (v := self.get(row, col)) is not None:
            out.append((col, v))
            col += 1
        return out


def _checked_file(path: Any) -> Path:
    """``path`` if it names a file that may be parsed: InputError before any parsing otherwise."""
    problems = check_path(path, "inputs workbook", ALLOWED)
    if problems:
        raise InputError(problems)
    path, file = Path(path), str(path)
    if path.is_dir():
        raise InputError([Problem(file, "(file)", f"is a folder; allowed: {ALLOWED}")])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError([Problem(file, "(file)", f"{size:,} bytes; allowed: at most {MAX_FILE_BYTES:,} ({ALLOWED}: "
                                      "about 2 MB)")])
        with zipfile.ZipFile(path) as zf:
            total = 0
            for info in zf.infolist():
                part = _unpacked_size(zf, info, file)
                total += part
                if total > MAX_UNPACKED_BYTES:
                    raise InputError([Problem(file, "(file)", f"unpacks to more than {MAX_UNPACKED_BYTES:,} bytes; allowed: "
                                              f"at most that ({ALLOWED} unpacks to about 15 MB)")])
    except FileNotFoundError:
        raise InputError([Problem(file, "(file)", "file not found")]) from None
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InputError([Problem(file, "(file)", f"cannot be read as a workbook ({exc}); allowed: {ALLOWED}")]) from None
    return path


def _unpacked_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> int:
    """Bytes one part unpacks to, counted by unpacking it (at most MAX_PART_BYTES + 1)."""
    too_big = InputError([Problem(file, info.filename, f"unpacks to more than {MAX_PART_BYTES:,} bytes; allowed: at most "
                                  "that (a zip bomb?)")])
    if info.file_size > MAX_PART_BYTES:
        raise too_big
    size = 0
    with zf.open(info) as fh:
        while chunk := fh.read(2**20):
            size += len(chunk)
            if size > MAX_PART_BYTES:
                raise too_big
    return size


def _inputs_grid(path: Path) -> _Grid:
    """The Inputs sheet's values (only that sheet is parsed)."""
    file = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            if SHEET not in wb.sheetnames:
                raise InputError([Problem(file, "(file)", f"has no {SHEET} sheet; allowed: {ALLOWED}")])
            return _Grid([tuple(r) for r in wb[SHEET].iter_rows(values_only=True)])
        finally:
            wb.close()
    except ParseError as exc:
        raise InputError([Problem(file, "(file)", f"holds malformed XML ({exc}); allowed: {ALLOWED}")]) from None
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise InputError([Problem(file, "(file)", f"cannot be read as a workbook ({exc}); allowed: {ALLOWED}")]) from None


def _selected_column(grid: _Grid, file: str) -> tuple[str, int]:
    """The selected scenario's name (Inputs!C3) and its column.

    The scenario columns run from F to the last column before "Source" (the
    last header), so a scenario may itself be called "Source".
    """
    scenario_cell = SCENARIO_CELL.replace("$", "")
    headers = grid.row_values(HEADER, FIRST_SCENARIO_COL)
    where = f"{SHEET}!{get_column_letter(FIRST_SCENARIO_COL)}{HEADER}:{get_column_letter(FIRST_SCENARIO_COL + len(headers))}{HEADER}"
    if not headers or headers[-1][1] != "Source":
        raise InputError([Problem(file, where, "the header row's last cell is not 'Source'; allowed: the scenario "
                                  "columns' names, then 'Source' (as the report wrote them)")])
    columns: dict[Any, int] = {}
    for col, name in headers[:-1]:
        if name in columns:
            raise InputError([Problem(file, f"{SHEET}!{get_column_letter(col)}{HEADER}", f"scenario column {name!r} appears "
                                      "twice; allowed: distinct names")])
        columns[name] = col
    selected = grid.get(3, 3)
    if selected not in columns:
        raise InputError([Problem(file, f"{SHEET}!{scenario_cell} (Scenario)",
                                  f"{brief(selected)} is not a scenario column; allowed: {', '.join(map(str, columns))}")])
    return str(selected), columns[selected]


def _locate(problem: Problem, file: str, cells: dict[str, str]) -> Problem:
    """Point a problem with a workbook value at the cell it came from."""
    if problem.file != file:
        return problem
    cell = cells.get(excel_name(problem.field))
    return Problem(file, f"{cell} ({problem.field})" if cell else problem.field, problem.message)


def _check_structure(file: str, found: dict[str, tuple[int, Any]], inputs: Inputs) -> None:
    """model_start and model_periods are fixed when the report is written: an edit is refused, not ignored."""
    expected = {"model_start": inputs.model_start, "model_periods": inputs.periods}
    problems = []
    for name, (row, value) in found.items():
        if isinstance(value, dt.datetime):
            value = to_serial(value.date())
        if value != expected[name]:
            problems.append(Problem(file, f"{SHEET}!{get_column_letter(LIVE_COL)}{row} ({name})",
                                    f"{brief(value)} differs from the inputs folder's {expected[name]:g}; allowed: the "
                                    "value written (the model's structure; change plan.toml [model] and write a new report)"))
    if problems:
        raise InputError(problems)


def _curves(file: str, found: dict[str, tuple[int, list]], inputs: Inputs) -> dict:
    """The workbook's curves: a whole year (F, G, ...) above each value, every year of the model, values in range."""
    problems, out = [], {}
    for name, (years, _) in inputs.curves.items():
        spec = CURVE_SPECS[name]
        y_row, wb_years = found.get(f"{name}_years", (0, []))
        v_row, wb_values = found.get(f"{name}_values", (0, []))
        if not y_row or not v_row:
            problems.append(Problem(file, f"{SHEET} ({name})", f"rows {name}_years and {name}_values missing; allowed: "
                                    "the curve rows as the report wrote them"))
            continue
        bad = [(col, y) for col, y in wb_years if isinstance(y, bool) or not isinstance(y, (int, float)) or y != int(y)]
        problems += [Problem(file, f"{SHEET}!{get_column_letter(col)}{y_row} ({name}_years)", f"{brief(y)} is not a year; "
                             f"allowed: the years {years[0]}-{years[-1]} in order") for col, y in bad]
        got_years = [y for _, y in wb_years]
        if not bad and got_years != list(years):
            missing = [y for y in years if y not in got_years]
            problems.append(Problem(file, f"{SHEET}!row {y_row} ({name}_years)",
                                    f"{len(got_years)} years{f', {missing} missing' if missing else ''}; allowed: each "
                                    f"year {years[0]}-{years[-1]} once, in order, from column "
                                    f"{get_column_letter(FIRST_SCENARIO_COL)} (deleting a scenario column deletes a "
                                    "curve year below it: restore the column)"))
        if bad or got_years != list(years):
            continue
        if len(wb_values) != len(years):
            problems.append(Problem(file, f"{SHEET}!row {v_row} ({name}_values)", f"{len(wb_values)} values for "
                                    f"{len(years)} years; allowed: a value under each year, {spec.allowed()}"))
            continue
        checked = [check_value(spec, v, file, f"{SHEET}!{get_column_letter(col)}{v_row} ({name}_values)", problems,
                               allow_array=False) for col, v in wb_values]
        if None not in checked:
            out[name] = (tuple(years), tuple(checked))
    if problems:
        raise InputError(problems)
    return out
