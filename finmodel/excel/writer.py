"""Build the workbook and save it safely.

The workbook is the model: every figure is a live formula generated from the
same line-item definitions as the Python figures. It is written to a
temporary file in the target folder and moved into place only when complete,
so a failure never leaves a half-written report nor destroys the previous
one. A save killed outright (SIGKILL, power loss) cannot remove its temporary
file: the next save to the same path does (see :func:`_remove_stale_temps`).
Zip entries and document timestamps are fixed, so the same inputs give the
same bytes (set ``SOURCE_DATE_EPOCH`` to stamp another time).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from finmodel.excel import charts
from finmodel.excel.bulk import ReportWorkbook, add_rows
from finmodel.excel.calc import (
    CONSOLIDATED_LABEL, CONSOLIDATED_SHEET, FIRST_PERIOD_COL, TIME_SHEET, build_layouts, calc_sheet_name, formulas,
)
from finmodel.excel.collector import collector_paused
from finmodel.excel.finance_sheets import (
    DEBT_SHEET, SOURCES_USES_SHEET, STATEMENTS_SHEET, FinanceLayout, write_finance_sheets,
)
from finmodel.excel.inputs_sheet import InputsLayout, input_checks, snapshot_for_risk, write_inputs_sheet
from finmodel.excel.report_sheets import (
    announced_cell, announcement_rows, define_headlines, peer_warnings, risk_banner, scalar_ref,
    write_announcements_sheet, write_cash_flow_table, write_checks_sheet, write_cover, write_dashboard,
    write_energy_table, write_jobs_sheet, write_lcoc_sheet, write_sources_sheet,
)
from finmodel.excel.risk_sheets import (
    RiskTables, write_montecarlo_sheet, write_scenarios_sheet, write_sensitivity_sheet,
)
from finmodel.excel.style import SECTION, put_text, safe_text
from finmodel.excel.printing import setup_print
from finmodel.excel.sheets import ANNUAL_SHEET, define_time_years, write_annual_sheet, write_calc_sheet
from finmodel.announcements import WHOLE_PLAN
from finmodel.errors import InputError, Problem, ReportError, check_path
from finmodel.excel.stored import Values, add_values, sheet_parts, stored_values
from finmodel.inputs import CUSTOM, load_inputs
from finmodel.registry import PHASE_ITEMS
from finmodel.results import TOTAL

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

SEEDS = [
    ("seed 000 (Clubic, 2025-02-10)", "Sesterce announces EUR 52 bn, > 1 million GPUs and 1.5 GW in France by 2030; "
                                      "Valence 40,000 GPUs and EUR 1.8 bn; Grand Est 600 MW / 500,000 GPUs by 2028, doubled "
                                      "in 2030; South 250 MW / 200,000 GPUs; 5,000 jobs."),
    ("seed 004 (2025-11-24)", "Alixan (Rovaltain): EUR 1.5 bn instead of EUR 450 m promised in Feb 2025; 40 MW raised to "
                              "80 MW; first phase Dec 2026, full 80 MW Dec 2027; about 800 jobs envisaged in Feb 2025."),
    ("reference/benchmarks.csv and benchmarks.md", "Public benchmark figures with sources, behind the default assumptions."),
]


@dataclass
class WorkbookLayout:
    """Where things are, for tests and for reading an edited workbook back."""

    calc: dict  # entity -> SheetLayout (plus 'time')
    inputs: InputsLayout
    annual_rows: dict
    years: list[int]
    finance: FinanceLayout | None = None


#: SOURCE_DATE_EPOCH range [s]: a zip entry's date must fall in 1980-2107; this stops at the end of 2099
LAST_EPOCH = 4_102_444_799
#: longest report file name [bytes]: the temporary file beside it (".<stem>.<8 random>.xlsx.tmp") must stay
#: within the 255 bytes a file name may have on Linux, macOS and Windows
MAX_NAME_BYTES = 200
TMP_SUFFIX = ".xlsx.tmp"
#: the random part of a temporary file's name (tempfile.mkstemp: 8 characters of a-z, 0-9 and _)
_TMP_RANDOM = r"[a-z0-9_]{8}"


def timestamp() -> dt.datetime:
    """The document date: ``SOURCE_DATE_EPOCH`` [s since 1970, UTC] if set, else 1980-01-01 (reproducible bytes).

    InputError unless the variable is a whole number from 0 to LAST_EPOCH.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.datetime(1980, 1, 1)
    if not epoch.strip().isdigit() or int(epoch) > LAST_EPOCH:
        raise InputError([Problem("environment", "SOURCE_DATE_EPOCH", f"{epoch!r:.40} is not a whole number of seconds "
                                  f"in range; allowed: 0 to {LAST_EPOCH} (1970-01-01 to 2099-12-31, UTC)")])
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)


def check_target(path: Path | str, where: str = "report path") -> Path:
    """``path`` as a Path if a report can be saved there: InputError for an empty or unusable name,
    ReportError if it is open in a spreadsheet (its lock file is there). Writes nothing."""
    problems = check_path(path, where, "an .xlsx file path")
    if not problems:
        path = Path(path)
        size = len(os.fsencode(path.name))
        if size > MAX_NAME_BYTES:
            problems.append(Problem(where, "(name)", f"{path.name[:40]!r}... is {size} bytes long; allowed: a file "
                                    f"name of at most {MAX_NAME_BYTES} bytes"))
        elif path.name in ("", ".", ".."):
            problems.append(Problem(where, "(name)", f"{str(path)!r} names no file; allowed: an .xlsx file path"))
    if problems:
        raise InputError(problems)
    for lock in (path.parent / f"~${path.name}", path.parent / f".~lock.{path.name}#"):
        if lock.exists():
            raise ReportError(f"{path} is open in a spreadsheet (lock file {lock.name}); close it and run again")
    return path


def scenario_columns(inputs) -> tuple[dict, str]:
    """Inputs of every scenario for the drop-down, and the selected column's name.

    When the run's inputs differ from its named scenario (overrides, or read
    from an edited workbook), they get a column of their own, ``custom``.
    """
    columns = {name: load_inputs(name, inputs_dir=inputs.inputs_dir) for name in inputs.scenarios}
    if inputs.scenario in columns and columns[inputs.scenario].digest() == inputs.digest():
        return columns, inputs.scenario
    columns[CUSTOM] = inputs
    return columns, CUSTOM


@collector_paused()
def build_workbook(results, version: str, risk: RiskTables | None = None) -> tuple[Workbook, WorkbookLayout]:
    """The whole workbook for one run's Results; ``risk`` adds the Scenarios, Sensitivity and Monte Carlo sheets.

    InputError if an input has one value per month (an ``overrides=`` array): the Inputs sheet holds one per input.
    """
    inputs = results.inputs
    monthly = [k for k, v in inputs.values.items() if np.ndim(v) > 0]
    if monthly:
        raise InputError([Problem("overrides", k, f"one value per month (shape {np.shape(inputs.values[k])}); allowed in "
                                  "a workbook: one value per input (its Inputs sheet holds one; Python results "
                                  "take the monthly values)") for k in monthly])
    phases = inputs.phases
    entities = [*phases, TOTAL]
    wb = ReportWorkbook()
    cover = wb.active
    cover.title = "Cover"
    dashboard = wb.create_sheet("Dashboard")
    columns, selected = scenario_columns(inputs)
    inputs_layout = write_inputs_sheet(wb, columns, selected, inputs.model_start, inputs.periods)
    input_keys = list(inputs_layout.rows)

    layouts = build_layouts(phases)
    periods = inputs.periods
    write_calc_sheet(wb, layouts["time"], formulas(layouts, "time", input_keys, periods, phases), periods,
                     layouts["time"], "Time", "Monthly timeline, flags and discount factors shared by every calc sheet.",
                     results.time)
    for p in phases:
        write_calc_sheet(wb, layouts[p], formulas(layouts, p, input_keys, periods, phases), periods, layouts["time"],
                         f"Calc: {inputs.phase_labels.get(p, p)}", f"Phase {p}: capex, revenue, opex, depreciation, tax, "
                         "cash flow, returns, cost per GPU-hour and jobs by month. One formula per row, copied across.",
                         results.values[p])
    write_calc_sheet(wb, layouts[TOTAL], formulas(layouts, TOTAL, input_keys, periods, phases), periods,
                     layouts["time"], "Consolidated", "Sum of the phases; NPV, IRR, payback and the levelized cost "
                     "recomputed from the consolidated rows.", results.values[TOTAL])
    years = sorted({d.year for d in results.periods})
    define_time_years(wb, layouts["time"], periods)
    annual_rows = write_annual_sheet(wb, layouts, entities, {**inputs.phase_labels, TOTAL: CONSOLIDATED_LABEL},
                                     years, periods)
    define_headlines(wb, layouts)
    finance = write_finance_sheets(wb, layouts, phases, inputs.phase_labels, years, periods,
                                   announced_cell(announcement_rows(results.announcements), WHOLE_PLAN, "capex_eur"))

    lcoc_ws = wb.create_sheet("Cost per GPU-hour")
    last_stack = write_lcoc_sheet(lcoc_ws, layouts, entities)
    lcoc_ws.add_chart(charts.stack_chart(lcoc_ws, 5, last_stack, len(entities)), "B20")
    jobs_ws = wb.create_sheet("Jobs")
    first_job, permanent_job = write_jobs_sheet(jobs_ws, annual_rows, years, layouts, entities)
    jobs_ws.add_chart(charts.jobs_chart(jobs_ws, first_job, permanent_job, len(years)), "A24")
    ann_ws = wb.create_sheet("Announcements")
    ann_rows = write_announcements_sheet(ann_ws, results.announcements, layouts)

    plan_rows = _plan_rows(ann_rows, layouts)
    anchors = write_dashboard(dashboard, layouts, entities, inputs.phase_labels, plan_rows, results.breakevens)
    fcf_row, cum_row = write_cash_flow_table(dashboard, anchors["charts"], annual_rows, years)
    labels = {it.name: it.label for it in PHASE_ITEMS}
    dashboard.add_chart(charts.capex_chart(wb[ANNUAL_SHEET], annual_rows, labels, len(years)), f"A{cum_row + 2}")
    dashboard.add_chart(charts.cash_flow_chart(dashboard, fcf_row, cum_row, len(years)), f"H{cum_row + 2}")
    energy_rows = write_energy_table(dashboard, cum_row + 26, annual_rows, years)
    dashboard.add_chart(charts.energy_chart(dashboard, cum_row + 27, energy_rows["facility_energy_mwh"],
                                            energy_rows["heat_sold_mwh"], len(years)), f"A{max(energy_rows.values()) + 2}")

    risk_map = _risk_sheets(wb, risk, f"Computed for scenario {selected} (inputs SHA-256 {inputs.digest()}): the "
                                      "Dashboard and the Checks sheet flag it when the live scenario or inputs differ.")
    live_warnings = list(finance.warnings)
    if risk_map:
        stale = snapshot_for_risk(wb, inputs_layout, selected)
        live_warnings.append(("Inputs changed since the Scenarios, Sensitivity and Monte Carlo sheets were computed "
                              "(+1 for another scenario): those sheets are stale when not 0", f"={stale}", "#"))
        risk_banner(dashboard, stale)
    write_checks_sheet(wb, wb.create_sheet("Checks"), layouts, entities, phases, annual_rows, len(years), results.warnings,
                       finance.checks, live_warnings + peer_warnings(layouts, entities), input_checks(input_keys, phases))
    write_sources_sheet(wb.create_sheet("Sources"), inputs, SEEDS)
    sheet_map = [
        ("Dashboard", "Headline figures, master check, charts"),
        ("Inputs", "Every assumption, named, with unit and source; scenario drop-down"),
        (TIME_SHEET, "Monthly timeline, discount factors, indices"),
        *[(calc_sheet_name(p), f"Calculations for {inputs.phase_labels.get(p, p)}") for p in phases],
        (CONSOLIDATED_SHEET, "Whole plan: sum of phases, returns recomputed"),
        (ANNUAL_SHEET, "Yearly roll-ups of the monthly rows"),
        (SOURCES_USES_SHEET, "Sources and uses of funds during construction; peak funding; announced EUR 52 bn"),
        (DEBT_SHEET, "Debt by tranche and year, DSCR, LLCR, equity returns, WACC"),
        (STATEMENTS_SHEET, "Income statement, balance sheet, cash-flow statement by year"),
        ("Cost per GPU-hour", "Levelized cost and its stack"),
        ("Jobs", "Jobs by year and category"),
        ("Announcements", "Announced figures beside the bottom-up ones"),
        *risk_map,
        ("Checks", "Identity checks and master check; warnings"),
        ("Sources", "Sources of every input"),
    ]
    generated = timestamp()
    write_cover(cover, inputs, version, inputs.digest(), _stamp_text(generated, results.announcements), sheet_map)
    _properties(wb, inputs, version, generated)
    total_rows = [r for (e, _), r in annual_rows.items() if e == TOTAL]
    setup_print(wb, version, inputs.digest(), [lay.sheet for lay in layouts.values()],
                (min(total_rows) - 1, max(total_rows)) if total_rows else None)  # from its block's title
    return wb, WorkbookLayout(layouts, inputs_layout, annual_rows, years, finance)


def _risk_sheets(wb, risk: RiskTables | None, stamp: str) -> list[tuple[str, str]]:
    """Scenarios, Sensitivity and Monte Carlo sheets for the tables ``risk`` holds, each stamped (A3) with the
    scenario and inputs it was computed for; their sheet-map lines."""
    out = []
    if risk is None:
        return out
    if risk.scenarios is not None:
        write_scenarios_sheet(wb.create_sheet("Scenarios"), risk.scenarios)
        out.append(("Scenarios", "Scenarios side by side (values from Python runs)"))
    if risk.tornado is not None:
        write_sensitivity_sheet(wb.create_sheet("Sensitivity"), risk.tornado, risk.breakevens)
        out.append(("Sensitivity", "Tornado of NPV and levelized cost, break-even values"))
    if risk.montecarlo is not None:
        write_montecarlo_sheet(wb.create_sheet("Monte Carlo"), risk.montecarlo)
        out.append(("Monte Carlo", "Percentiles, P(NPV < 0), histogram"))
    for name, _ in out:
        put_text(wb[name]["A3"], stamp)
        wb[name]["A3"].font = SECTION
    return out


def _plan_rows(ann_rows, layouts) -> dict[str, tuple[str, str, str]]:
    """Dashboard rows: (unit, announced cell, modelled cell) for the Feb 2025 plan totals."""
    out = {}
    for ann, metric, label, unit, entity, item in (
            (WHOLE_PLAN, "capex_eur", "Capex (announced: EUR 52 bn)", "EUR", TOTAL, "capex_initial"),
            (WHOLE_PLAN, "gpus", "GPUs", "GPU", TOTAL, "gpus_full"),
            (WHOLE_PLAN, "it_mw", "IT MW", "MW", TOTAL, "it_mw_full"),
            (WHOLE_PLAN, "jobs", "Permanent jobs in 2030 (direct + indirect operations)", "FTE", TOTAL, "jobs_permanent_2030"),
            ("valence_feb_2025_as_reported_nov", "jobs", "Alixan permanent jobs in 2030 (announced: about 800 direct and indirect)",
             "FTE", "alixan", "jobs_permanent_2030"),
            (None, None, "Construction jobs on site, peak month (not announced)", "FTE", TOTAL, "jobs_construction_peak"),
            (None, None, "Year of the construction peak", "year", TOTAL, "jobs_construction_peak_year")):
        row = ann_rows.get((ann, metric))
        if entity in layouts and (row is not None or ann is None):
            out[label] = (unit, None if row is None else announced_cell(ann_rows, ann, metric), scalar_ref(layouts[entity], item))
    return out


def _stamp_text(generated: dt.datetime, announcements) -> str:
    """The Cover's date: SOURCE_DATE_EPOCH's when set; else the date of the latest announcement the inputs carry
    (the file's own timestamps stay fixed, for reproducible bytes)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return generated.isoformat()
    dates = [] if announcements is None or "date" not in announcements else [str(d) for d in announcements["date"]]
    return f"inputs as of {max(dates)} (latest announcement; set SOURCE_DATE_EPOCH to stamp a date)" if dates \
        else "not stamped (set SOURCE_DATE_EPOCH)"


def _properties(wb, inputs, version: str, generated: dt.datetime) -> None:
    props = wb.properties
    props.creator = "finmodel"
    props.title = "finmodel: Sesterce AI compute build-out"
    props.subject = safe_text(f"scenario {inputs.scenario}")
    props.keywords = f"finmodel {version}; inputs-sha256 {inputs.digest()}"
    props.created = props.modified = generated
    wb.custom_doc_props.append(StringProperty(name="finmodel_version", value=version))
    wb.custom_doc_props.append(StringProperty(name="inputs_sha256", value=inputs.digest()))
    wb.custom_doc_props.append(StringProperty(name="scenario", value=safe_text(inputs.scenario)))


def _normalise_zip(path: Path, generated: dt.datetime, values: Values | None = None,
                   bulk: dict[str, list] | None = None, last_col: int = 0) -> None:
    """Fixed zip timestamps and document dates, so the same workbook gives the same bytes; ``values`` stored
    beside the formulas (sheet -> {(row, col): value}, see :mod:`finmodel.excel.stored`); ``bulk``: the calc
    sheets' monthly cells added (sheet -> [BulkRow], see :mod:`finmodel.excel.bulk`), up to column ``last_col``."""
    stamp = generated.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    parts, rows = {}, {}
    if values or bulk:
        found = dict(entries)
        titles = sheet_parts(found["xl/workbook.xml"], found["xl/_rels/workbook.xml.rels"])
        parts = {part: (values or {}).get(title, {}) for title, part in titles.items()}
        rows = {part: bulk[title] for title, part in titles.items() if bulk and bulk.get(title)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if parts.get(name):
                data = add_values(data, parts[name])
            if name in rows:
                data = add_rows(data, rows[name], last_col)
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=(max(generated.year, 1980), generated.month, generated.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def save_atomic(wb: Workbook, path: Path | str, values: Values | None = None) -> Path:
    """Save to a temporary file beside ``path`` (with ``values`` stored beside the formulas), then move it into place.

    On any failure or interruption (Ctrl-C; SIGTERM in the ``finmodel``
    command) the temporary file is removed and the previous report is untouched.
    """
    path = check_target(path)
    folder = path.parent
    started = time.time()
    tmp = fd = None
    try:
        with _interrupts_held():  # a Ctrl-C while the file is created arrives once its name is known
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=TMP_SUFFIX, dir=folder)
            if fcntl is None:  # Windows: no file open while it is replaced
                os.close(fd)
                fd = None
            else:  # locked until the file is in place: another save does not take it for stale
                fcntl.flock(fd, fcntl.LOCK_EX)
        wb.save(tmp)
        bulk = getattr(wb, "bulk", None)
        last_col = max((len(b.columns) for rows in (bulk or {}).values() for b in rows), default=0)
        _normalise_zip(Path(tmp), timestamp(), values, bulk, FIRST_PERIOD_COL - 1 + last_col)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            _drop_half_written(tmp)
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            where = f"a report in {folder}" if tmp is None else str(path)
            raise ReportError(f"cannot write {where}: {exc.strerror or exc}; the previous report (if any) is "
                              "untouched") from None
        raise
    finally:
        if fd is not None:
            os.close(fd)
    _remove_stale_temps(path, started)
    return path


def _remove_stale_temps(path: Path, before: float) -> list[Path]:
    """Remove the temporary files that saves to ``path`` killed outright left beside it; returns them.

    Removed only if all of these hold: named as :func:`save_atomic` names
    them for ``path`` (".<stem>.<8 random characters>.xlsx.tmp"), a regular
    file (not a link or folder) of this user, empty or a zip file (as a save
    leaves it), last written before ``before`` [s since the epoch: this
    save's start], and not locked by a save still running (a killed process
    holds no lock). Where files cannot be locked (Windows, which does not
    remove a file another process has open anyway) the lock test is skipped.
    Nothing else is touched; a file that cannot be read or removed is left.
    """
    name = re.compile(re.escape(f".{path.stem}.") + _TMP_RANDOM + re.escape(TMP_SUFFIX))
    removed = []
    try:
        candidates = [p for p in path.parent.iterdir() if name.fullmatch(p.name)]
    except OSError:
        return removed
    for p in candidates:
        try:
            st = p.lstat()
            if not stat.S_ISREG(st.st_mode) or st.st_mtime >= before or \
                    (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                continue
            with open(p, "rb") as f:
                if st.st_size and f.read(4) != b"PK\x03\x04":
                    continue
                if fcntl is not None:
                    try:
                        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a save in progress holds it
                    p.unlink()  # while locked: no save can take the file meanwhile
            if fcntl is None:
                p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def _interrupts_held():
    """Ctrl-C and SIGTERM received during the block are raised again just after it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: got.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in got:
            signal.raise_signal(signum)


def _drop_half_written(tmp: str) -> None:
    """Close, quietly and now, the zip file a failed save left open on ``tmp``.

    Left to the garbage collector, a zip file on a full disk fails again in
    ``ZipFile.__del__`` and Python prints an "Exception ignored" traceback.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        for obj in gc.get_objects():
            if isinstance(obj, zipfile.ZipFile) and obj.filename == tmp and obj.fp is not None:
                fp, obj.fp = obj.fp, None  # ZipFile.close() is then a no-op: no end record written to a full disk
                try:
                    fp.close()
                except OSError:
                    pass
        gc.collect()
    finally:
        sys.unraisablehook = hook


def write_report(results, path: Path | str, version: str | None = None, risk: RiskTables | bool | None = None, *,
                 draws: int = 2000, seed: int = 0, progress: bool = False, step=None) -> tuple[Path, WorkbookLayout]:
    """Build the workbook for ``results`` and save it atomically at ``path``; returns (path, layout).

    ``version``: stamped on the Cover and in the document properties
    (default: this package's version). ``risk=True`` adds the Scenarios,
    Sensitivity and Monte Carlo sheets, computed here (``draws`` [-],
    ``seed``, ``progress`` for the Monte Carlo; see
    :func:`finmodel.risk.risk_tables`); ``risk`` may also be tables computed
    before. ``step``: a :mod:`finmodel.progress` step reporter for the slow
    steps (default: silent).
    """
    from finmodel.progress import no_step

    step = step or no_step
    if version is None:
        from finmodel import __version__ as version
    if risk is True:
        from finmodel.risk import risk_tables

        risk = risk_tables(results, draws, seed, progress=progress, step=step)
    with step("building the workbook"):
        wb, layout = build_workbook(results, version, risk or None)
    with step("storing the values beside the formulas"):
        values = stored_values(wb, layout.calc, results)
    with step(f"saving {path}"):
        return save_atomic(wb, path, values), layout
