"""The Inputs sheet: every input as a named cell, one value column per scenario.

Column D holds the live value, ``INDEX(scenario values, 1, MATCH(Scenario,
ScenarioNames, 0))``; its defined name is the input's name (``alixan_gpus``).
Columns F onward hold each scenario's values in the built-in "Input" style:
that is where a user changes an assumption. The drop-down in ``Scenario``
switches the whole workbook. The GPU generations (generations.toml) are
inputs too, one row per generation and field, grouped by field: the rows
of one field are the range ``generation_<field>`` that the calc sheets look
up with ``INDEX(generation_<field>, MATCH(purchase month,
generation_available, 1), 1)``. Every input cell carries data validation from
the input spec (type and allowed range, an error message naming it); since
pasting bypasses validation, :func:`input_checks` also gives each input a
row on the Checks sheet that fails the master check when out of range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from finmodel.inputs import Inputs
from finmodel.excel.style import AFTER_NUMBER, NOTE, SECTION, SECTION_FILL, WRAP, header_row, number_format, put_text, title
from finmodel.listing import excel_name
from finmodel.spec import CURVE_SPECS, GENERATION_FIELDS, SPEC_BY_NAME, InputSpec
from finmodel.timeline import from_serial

SHEET = "Inputs"
SCENARIO_CELL = "$C$3"
HEADER = 5
FIRST_SCENARIO_COL = 6  # F
NAME_COL, DESC_COL, UNIT_COL, LIVE_COL, ALLOWED_COL = 1, 2, 3, 4, 5


@dataclass
class InputsLayout:
    """Where the Inputs sheet put things."""

    rows: dict[str, int] = field(default_factory=dict)  # input key -> row
    scenario_cols: dict[str, int] = field(default_factory=dict)  # scenario column name -> column index
    curve_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # curve -> (years row, values row)
    source_col: int = 0


def _cell_value(key: str, value):
    spec = SPEC_BY_NAME[key.split(".")[-1]]
    return from_serial(float(value)) if spec.kind == "date" else float(value)


def _define(wb, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def write_inputs_sheet(wb, columns: dict[str, Inputs], selected: str, model_start: float, periods: int) -> InputsLayout:
    """Write the sheet; ``columns`` maps a scenario column name to that scenario's Inputs."""
    ws = wb.create_sheet(SHEET)
    lay = InputsLayout()
    title(ws, "Inputs", "Every assumption of the model, with its unit and source. Change the orange cells of the "
                        "selected scenario's column; the live value (column D) feeds every sheet.")
    put_text(ws["B3"], "Scenario (drop-down)")
    ws["B3"].font = SECTION
    ws["C3"].style = "Input"
    put_text(ws["C3"], selected)
    _define(wb, "Scenario", f"{SHEET}!{SCENARIO_CELL}")

    names = list(columns)
    header_row(ws, HEADER, ["Name", "Description", "Unit", "Live value", "Allowed"] + names + ["Source"])
    lay.scenario_cols = {n: FIRST_SCENARIO_COL + k for k, n in enumerate(names)}
    lay.source_col = FIRST_SCENARIO_COL + len(names)
    first, last = get_column_letter(FIRST_SCENARIO_COL), get_column_letter(lay.source_col - 1)
    _define(wb, "ScenarioNames", f"{SHEET}!${first}${HEADER}:${last}${HEADER}")
    dv = DataValidation(type="list", formula1="=ScenarioNames", allow_blank=False, showErrorMessage=True,
                        error="Pick one of the scenario columns' names.", errorTitle="Unknown scenario")
    ws.add_data_validation(dv)
    dv.add(ws["C3"])
    row = HEADER + 1
    for n, inp in columns.items():
        c = ws.cell(row=row, column=lay.scenario_cols[n])
        put_text(c, inp.scenario_label)
        c.font = NOTE
        c.alignment = WRAP
    row += 1

    selected_inputs = columns[selected]
    keys = _ordered_keys(columns)
    row = _structural_rows(wb, ws, row, model_start, periods)
    section = None
    for key in keys:
        owner = key.split(".")[0]
        this_section = ("Plan-wide" if "." not in key else
                        f"Phase {owner}: {selected_inputs.phase_labels.get(owner, '')}" if owner in selected_inputs.phases else
                        "GPU generations (generations.toml), in order of availability: a purchase buys the latest available")
        if this_section != section:
            section = this_section
            row += 1
            c = ws.cell(row=row, column=1)
            put_text(c, section)
            c.font, c.fill = SECTION, SECTION_FILL
            row += 1
        spec = SPEC_BY_NAME[key.split(".")[-1]]
        name = excel_name(key)
        put_text(ws.cell(row=row, column=NAME_COL), name)
        put_text(ws.cell(row=row, column=DESC_COL), spec.description if spec.scope != "generation" else
                 f"{selected_inputs.generation_labels.get(owner, owner)}: {spec.description}")
        put_text(ws.cell(row=row, column=UNIT_COL), spec.unit)
        put_text(ws.cell(row=row, column=ALLOWED_COL), spec.allowed())
        ws.cell(row=row, column=ALLOWED_COL).alignment = AFTER_NUMBER
        for n, inp in columns.items():
            c = ws.cell(row=row, column=lay.scenario_cols[n])
            c.value = _cell_value(key, _value_for(inp, key))
            c.style = "Input"
            c.number_format = number_format(spec.unit)
        _validate(ws, spec, name, f"{first}{row}:{last}{row}", model_start)
        live = ws.cell(row=row, column=LIVE_COL)
        live.value = f"=INDEX(${first}{row}:${last}{row}, 1, MATCH(Scenario, ScenarioNames, 0))"
        live.number_format = number_format(spec.unit)
        put_text(ws.cell(row=row, column=lay.source_col), selected_inputs.sources.get(key, ""))
        _define(wb, name, f"{SHEET}!${get_column_letter(LIVE_COL)}${row}")
        lay.rows[key] = row
        row += 1

    for fld in GENERATION_FIELDS if selected_inputs.generations else ():
        rows = [lay.rows[f"{g}.{fld}"] for g in selected_inputs.generations]
        _define(wb, f"generation_{fld}", f"{SHEET}!${get_column_letter(LIVE_COL)}${rows[0]}:${get_column_letter(LIVE_COL)}${rows[-1]}")
    row = _curve_rows(wb, ws, row + 1, selected_inputs, lay)
    _format(ws, lay)
    return lay


RISK_STALE = "Risk_Stale"


def snapshot_for_risk(wb, lay: InputsLayout, selected: str) -> str:
    """Columns after Source: each input's live value when the risk sheets were computed, and 1 where it has
    changed since. The defined name returned (``Risk_Stale``) counts the changes, plus 1 when the drop-down
    shows another scenario: the risk sheets (values from Python runs) are stale when it is not 0.
    """
    ws = wb[SHEET]
    snap, changed = lay.source_col + 1, lay.source_col + 2
    s, live = get_column_letter(snap), get_column_letter(LIVE_COL)
    # headers above the header row: its last cell stays 'Source' (read-back relies on it)
    header_row(ws, HEADER - 1, ["Live value when the risk sheets were computed", "Changed since (1 = yes)"],
               first_col=snap)
    put_text(ws.cell(row=3, column=snap), selected)
    rows = sorted(lay.rows.values())
    for r in rows:
        ws.cell(row=r, column=snap).value = ws.cell(row=r, column=lay.scenario_cols[selected]).value
        ws.cell(row=r, column=snap).number_format = ws.cell(row=r, column=LIVE_COL).number_format
        ws.cell(row=r, column=changed).value = f"=--({live}{r}<>{s}{r})"
    c = get_column_letter(changed)
    total = ws.cell(row=3, column=changed)
    total.value = f"=SUM({c}{rows[0]}:{c}{rows[-1]})+--(Scenario<>{s}3)"
    _define(wb, RISK_STALE, f"{SHEET}!${c}$3")
    for col, width in ((snap, 18), (changed, 12)):
        ws.column_dimensions[get_column_letter(col)].width = width
    return RISK_STALE


def _validate(ws, spec: InputSpec, name: str, cells: str, model_start: float) -> None:
    """Data validation of one input's scenario cells from its spec (inclusive bounds; the Checks row is strict)."""
    message = f"{name}: allowed {spec.allowed()}"
    if spec.kind == "date":  # a generation may be available before the model starts
        kind, operator = "date", "greaterThanOrEqual"
        bounds = (model_start if spec.scope != "generation" else 1, None)
        message = f"{name}: allowed the first day of a month" + (", from the model start on" if spec.scope != "generation" else "")
    else:
        kind = "whole" if spec.kind == "int" else "decimal"
        bounds = (spec.lo, spec.hi)
        operator = {(True, True): "between", (True, False): "greaterThanOrEqual",
                    (False, True): "lessThanOrEqual"}.get((spec.lo is not None, spec.hi is not None))
    if operator is None:
        return
    lo, hi = (None if b is None else f"{b:.15g}" for b in bounds)
    dv = DataValidation(type=kind, operator=operator, formula1=lo if lo is not None else hi,
                        formula2=hi if operator == "between" else None, allow_blank=False, showErrorMessage=True,
                        errorTitle="Input out of range", error=message[:255], promptTitle=name[:32],
                        prompt=spec.allowed()[:255], showInputMessage=True)
    ws.add_data_validation(dv)
    dv.add(cells)


def input_checks(keys: list[str], phases: tuple[str, ...]) -> list[tuple[str, str, float | None, float | None, str]]:
    """Checks-sheet rows of the inputs: (label, defined name, low, high, formula with {lo} and {hi} cells).

    Each input's live value within its spec's range (whole where the spec
    says so), each phase's dates in order, the GPU generations in order of
    availability and one available for each phase's first purchase.
    """
    out = []
    for key in keys:
        spec = SPEC_BY_NAME[key.split(".")[-1]]
        name = excel_name(key)
        if spec.kind == "date":
            continue
        parts = []
        if spec.lo is not None:
            parts.append(f"--({name}{'>' if spec.lo_strict else '>='}{{lo}})")
        if spec.hi is not None:
            parts.append(f"--({name}<={{hi}})")
        if spec.kind == "int":
            parts.append(f"--({name}=INT({name}))")
        out.append((f"input {name} is {spec.allowed()}", name, spec.lo, spec.hi, "=" + "*".join(parts)))
    available = [excel_name(k) for k in keys if SPEC_BY_NAME[k.split(".")[-1]].scope == "generation" and k.endswith(".available")]
    for before, after in zip(available, available[1:]):
        out.append((f"input {after} is after {before} (generations in order of availability)", after, None, None,
                    f"=--({after}>{before})"))
    for p in phases:
        start, s1, full = (excel_name(f"{p}.{f}") for f in ("construction_start", "stage1_online", "full_online"))
        if available:
            out.append((f"a GPU generation is available by {s1} (from {available[0]})", s1, None, None,
                        f"=--({s1}>={available[0]})"))
        out.append((f"input {start} is on or after model_start", start, None, None, f"=--({start}>=model_start)"))
        out.append((f"input {s1} is after {start} (at least one month of construction)", s1, None, None,
                    f"=--({s1}>{start})"))
        out.append((f"input {full} is after {s1}", full, None, None, f"=--({full}>{s1})"))
    return out


def _value_for(inp, key: str):
    """A scenario's value of an input; a phase override it lacks falls back to the plan-wide value."""
    if key in inp.values:
        return inp.values[key]
    return inp.values[key.split(".")[-1]]


def _ordered_keys(columns) -> list[str]:
    """Plan-wide inputs in spec order, each phase's fields (every key any scenario has), then the generations' by field."""
    present = set().union(*(inp.values for inp in columns.values()))
    first = next(iter(columns.values()))
    plan = [n for n in SPEC_BY_NAME if n in present]
    phase = [f"{p}.{f}" for p in first.phases for f in SPEC_BY_NAME if f"{p}.{f}" in present]
    generation = [f"{g}.{f}" for f in GENERATION_FIELDS for g in first.generations]
    return plan + phase + generation


def _structural_rows(wb, ws, row: int, model_start: float, periods: int) -> int:
    row += 1
    c = ws.cell(row=row, column=1)
    put_text(c, "Model structure (fixed when the workbook is written: regenerate it to change)")
    c.font, c.fill = SECTION, SECTION_FILL
    for name, value, unit, desc, fmt in (
        ("model_start", from_serial(model_start), "date", "First month of the timeline.", "mmm-yy"),
        ("model_periods", periods, "month", "Months in the timeline (one column each on the calc sheets).", "0"),
    ):
        row += 1
        put_text(ws.cell(row=row, column=NAME_COL), name)
        put_text(ws.cell(row=row, column=DESC_COL), desc)
        put_text(ws.cell(row=row, column=UNIT_COL), unit)
        live = ws.cell(row=row, column=LIVE_COL)
        live.value = value
        live.number_format = fmt
        _define(wb, name, f"{SHEET}!${get_column_letter(LIVE_COL)}${row}")
    return row + 1


def _curve_rows(wb, ws, row: int, inputs, lay: InputsLayout) -> int:
    for name, (years, values) in inputs.curves.items():
        c = ws.cell(row=row, column=1)
        put_text(c, f"Curve {name} (same in every scenario)")
        c.font, c.fill, c.alignment = SECTION, SECTION_FILL, WRAP  # its source is in the next cell
        put_text(ws.cell(row=row, column=DESC_COL), inputs.curve_sources.get(name, ""))
        ws.cell(row=row, column=DESC_COL).alignment = WRAP
        for offset, (label, data, style) in enumerate((("year", years, None), ("value", values, "Input"))):
            r = row + 1 + offset
            put_text(ws.cell(row=r, column=NAME_COL), f"{name}_{label}s")
            put_text(ws.cell(row=r, column=UNIT_COL), "yr" if label == "year" else CURVE_SPECS[name].unit)
            for k, v in enumerate(data):
                c = ws.cell(row=r, column=FIRST_SCENARIO_COL + k)
                c.value = v
                if style:
                    c.style = style
            last = get_column_letter(FIRST_SCENARIO_COL + len(data) - 1)
            _define(wb, f"{name}_{label}s", f"{SHEET}!${get_column_letter(FIRST_SCENARIO_COL)}${r}:${last}${r}")
        lay.curve_rows[name] = (row + 1, row + 2)
        row += 4
    return row


def _format(ws, lay: InputsLayout) -> None:
    # the print setup widens a column to its text where it would run into the next one (and wraps what is too long)
    widths = {NAME_COL: 34, DESC_COL: 80, UNIT_COL: 12, LIVE_COL: 16, ALLOWED_COL: 40}
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w
    for col in lay.scenario_cols.values():
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.column_dimensions[get_column_letter(lay.source_col)].width = 90
    ws.freeze_panes = "C7"
