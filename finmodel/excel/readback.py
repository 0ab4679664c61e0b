"""Read the Inputs sheet of a report that a user edited back into Python.

The selected scenario column's values (and the curves) replace the inputs
of ``inputs/``; they are validated like any override, and an error names
the workbook and the cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Mapping

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from finmodel.excel.inputs_sheet import FIRST_SCENARIO_COL, HEADER, LIVE_COL, NAME_COL, SCENARIO_CELL, SHEET
from finmodel.errors import InputError, Problem, check_path
from finmodel.inputs import Inputs, list_scenarios, load_inputs
from finmodel.listing import excel_name


def read_inputs_from_workbook(path: Path | str, *, inputs_dir: Path | str | None = None,
                              overrides: Mapping[str, Any] | None = None, overrides_source: str = "overrides") -> Inputs:
    """Inputs as the workbook's Inputs sheet holds them in its selected scenario column.

    ``overrides`` go on top of the workbook's values; ``overrides_source``
    names them in error messages (``--set``), a workbook value's error names its cell.
    """
    problems = check_path(path, "inputs workbook", "an .xlsx report written by finmodel")
    if not problems and Path(path).is_dir():
        problems.append(Problem(str(path), "(file)", "is a folder; allowed: an .xlsx report written by finmodel"))
    if problems:
        raise InputError(problems)
    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise InputError([Problem(str(path), "(file)", f"cannot be read as a workbook: {exc}")]) from None
    if SHEET not in wb.sheetnames:
        raise InputError([Problem(str(path), "(file)", f"has no {SHEET} sheet: not a finmodel report")])
    ws = wb[SHEET]
    scenario_cell = SCENARIO_CELL.replace("$", "")
    selected = ws[scenario_cell].value
    columns = {}
    for col in range(FIRST_SCENARIO_COL, ws.max_column + 1):
        name = ws.cell(row=HEADER, column=col).value
        if name == "Source" or name is None:
            break
        columns[name] = col
    if selected not in columns:
        raise InputError([Problem(str(path), f"{SHEET}!{scenario_cell} (Scenario)",
                                  f"{selected!r} is not a scenario column; allowed: {', '.join(columns)}")])
    col = columns[selected]
    values, cells, curves = {}, {}, {}
    for row in range(HEADER + 1, ws.max_row + 1):
        name = ws.cell(row=row, column=NAME_COL).value
        live = ws.cell(row=row, column=LIVE_COL).value
        if isinstance(live, str) and live.startswith("=INDEX("):
            values[name] = ws.cell(row=row, column=col).value
            cells[name] = f"{SHEET}!{get_column_letter(col)}{row}"
        elif isinstance(name, str) and name.endswith(("_years", "_values")):
            data = []
            for c in range(FIRST_SCENARIO_COL, ws.max_column + 1):
                v = ws.cell(row=row, column=c).value
                if v is None:
                    break
                data.append(v)
            curves[name] = (row, data)

    known = set(list_scenarios(inputs_dir).name)
    base = selected if selected in known else None
    try:
        inputs = load_inputs(base, inputs_dir=inputs_dir, overrides=values, overrides_source=str(path))
    except InputError as exc:
        raise InputError([_locate(p, path, cells) for p in exc.problems]) from None
    if overrides:  # the workbook's values are valid: a problem now is the overrides'
        inputs = load_inputs(base, inputs_dir=inputs_dir, overrides={**values, **overrides}, overrides_source=overrides_source)
    inputs.curves = _curves(path, curves, inputs)
    if base is None:
        inputs.scenario, inputs.scenario_label = str(selected), f"{selected} (read from {path.name})"
    return inputs


def _locate(problem: Problem, path: Path, cells: dict[str, str]) -> Problem:
    """Point a problem with a workbook value at the cell it came from."""
    if problem.file != str(path):
        return problem
    cell = cells.get(excel_name(problem.field))
    return Problem(str(path), f"{cell} ({problem.field})" if cell else problem.field, problem.message)


def _curves(path: Path, found: dict[str, tuple[int, list]], inputs: Inputs) -> dict:
    problems, out = [], {}
    for name, (years, values) in inputs.curves.items():
        wb_years = found.get(f"{name}_years", (0, []))[1]
        v_row, wb_values = found.get(f"{name}_values", (0, []))
        ok = (len(wb_years) == len(wb_values) == len(years)
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in wb_values)
              and [int(y) for y in wb_years] == list(years))
        if not ok:
            problems.append(Problem(str(path), f"{SHEET}!row {v_row} ({name}_values)",
                                    f"the curve needs a number >= 0 for each year {years[0]}-{years[-1]}"))
            continue
        out[name] = (years, tuple(float(v) for v in wb_values))
    if problems:
        raise InputError(problems)
    return out
