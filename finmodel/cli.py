"""The ``finmodel`` command (also ``python -m finmodel``); ``finmodel --help`` describes it.

Errors are one message without a traceback; nothing on disk changes. Exit
statuses (finmodel.errors): 0 done, 2 usage (an unknown option, a missing
or malformed option value), 3 input error (a file, field, value or workbook
given is wrong: each problem names the file, the field, the value and what
is allowed), 4 the report cannot be written (open in a spreadsheet,
read-only folder, disk full: the previous report is untouched), 130
interrupted (Ctrl-C or SIGTERM), 141 the reader went away (``| head``).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import pandas as pd

import finmodel
from finmodel.errors import (
    EXIT_BROKEN_PIPE, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_REPORT, InputError, Problem, ReportError, check_path,
)
from finmodel.excel.readback import read_inputs_from_workbook
from finmodel.excel.printing import PACK
from finmodel.excel.writer import check_target, timestamp, write_report
from finmodel.inputs import CUSTOM, load_inputs
from finmodel.output import FORMATS, SEE_UNIT_COLUMN, csv_text, json_text
from finmodel.progress import on_terminal, steps
from finmodel.recalc import RecalcError, export_pdf, pdf_pages
from finmodel.risk import rerun_arguments, risk_tables
from finmodel.registry import first_value
from finmodel.workspace import InitError, init_inputs

DEFAULT_REPORT_DIR = Path("reports")
DESCRIPTION = """\
finmodel: the techno-economic model of Sesterce's announced AI compute build-out in France.

Runs the monthly model of every phase (capex, opex, revenue, tax, debt, cash flow, jobs) from
the inputs shipped with finmodel (or a folder of your own: finmodel init DIR, then
--inputs-dir DIR) and prints its results, or writes them to an Excel workbook whose every
figure is a live formula. Nothing on disk changes but the report (and finmodel init's folder).
"""
EPILOG = """\
examples:
  finmodel summary                                   headline figures per phase and total
  finmodel summary --format json > summary.json      the same, raw numbers for scripts
  finmodel summary --scenario feb_2025 --set discount_rate=0.09 --set '*.site_area_ha=10' --set rubin.gpu_price_usd=90000
  finmodel report --out my.xlsx                      the workbook (with risk sheets)
  finmodel compare nov_2025 feb_2025 --format csv
  finmodel montecarlo -n 2000 --seed 1
  finmodel init my_inputs && finmodel summary --inputs-dir my_inputs

machine-readable output (--format csv|json): raw numbers (EUR, fractions per year), units in the
CSV headers ("npv_eur [EUR]") or in a JSON "units" field; warnings and progress go to stderr.

exit statuses: 0 done, 2 usage (unknown or contradictory options), 3 input error (each problem
names the file, the field, the value and what is allowed), 4 the report or folder cannot be
written, 130 interrupted, 141 the reader of the output went away.
"""


def parse_set(items: list[str]) -> dict[str, object]:
    """``NAME=VALUE`` pairs -> overrides; numbers become floats, anything else stays text (dates)."""
    out: dict[str, object] = {}
    problems = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            problems.append(Problem("--set", item, "expected NAME=VALUE, e.g. --set discount_rate=0.09"))
            continue
        try:
            out[name.strip()] = float(value)
        except ValueError:
            out[name.strip()] = value.strip()
    if problems:
        raise InputError(problems)
    return out


def check_args(args) -> None:
    """Option values that argparse accepts but finmodel cannot use: one InputError listing them all."""
    problems = []
    for flag in ("inputs_dir", "inputs_from", "out"):
        value = getattr(args, flag, None)
        if value is not None:
            problems += check_path(value, "--" + flag.replace("_", "-"), "a path")
    if getattr(args, "draws", None) is not None:
        from finmodel.montecarlo import check_draws

        problems += check_draws(args.draws, args.seed, ("--draws", "--seed"), "command line")
    if problems:
        raise InputError(problems)
    if getattr(args, "out", None) is not None:
        check_target(args.out, "--out")
    if args.command == "report":
        timestamp()  # a bad SOURCE_DATE_EPOCH is refused before the run, not after it


def _inputs(args) -> finmodel.Inputs:
    """The run's inputs: --inputs-from's workbook or --scenario, with --set on top (errors name --set)."""
    overrides = parse_set(args.set)
    if args.inputs_from:
        return read_inputs_from_workbook(args.inputs_from, inputs_dir=args.inputs_dir, overrides=overrides,
                                         overrides_source="--set")
    return load_inputs(args.scenario, inputs_dir=args.inputs_dir, overrides=overrides, overrides_source="--set")


def _run(args) -> finmodel.Results:
    return finmodel.run(inputs=_inputs(args))


def format_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary table as a person reads it (EUR bn, %, years)."""
    def num(fmt):
        return lambda v: "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

    formats = {
        "gpus": num("{:,.0f}"), "it_mw": num("{:,.0f}"), "capex_eur": num("{:,.2f}"), "npv_eur": num("{:,.2f}"),
        "irr": num("{:.1%}"), "payback_years": num("{:.1f}"), "lcoc_eur_per_gpu_hour": num("{:.3f}"),
        "lcoc_eur_per_pflop_hour": num("{:.3f}"), "breakeven_eur_per_gpu_hour": num("{:.3f}"), "breakeven_after_tax_eur_per_gpu_hour": num("{:.3f}"),
        "breakeven_equity_eur_per_gpu_hour": num("{:.3f}"),
        "jobs_permanent_2030": num("{:,.0f}"), "jobs_construction_peak": num("{:,.0f}"),
        "jobs_construction_peak_year": num("{:.0f}"), "energy_twh_per_yr": num("{:.2f}"),
        "co2_g_per_gpu_hour": num("{:.1f}"), "first_service": str,
        "full_service": str, "equity_irr": num("{:.1%}"), "equity_npv_eur": num("{:,.2f}"), "min_dscr": num("{:.2f}"),
        "equity_cure_months": num("{:.0f}"),
        "peak_funding_eur": num("{:,.2f}"), "peak_funding_month": str, "wacc": num("{:.1%}"),
    }
    shown = summary.copy()
    for col in ("capex_eur", "npv_eur", "equity_npv_eur", "peak_funding_eur"):
        shown[col] = shown[col] / 1e9
    out = pd.DataFrame({col: shown[col].map(fmt) for col, fmt in formats.items()}, index=shown.index)
    return out.rename(columns={
        "capex_eur": "capex_eur_bn", "npv_eur": "npv_eur_bn", "irr": "irr_per_yr", "lcoc_eur_per_gpu_hour": "lcoc_eur_gpu_h",
        "lcoc_eur_per_pflop_hour": "lcoc_eur_pflop_h", "breakeven_eur_per_gpu_hour": "breakeven_pre_tax_eur_gpu_h",
        "breakeven_after_tax_eur_per_gpu_hour": "breakeven_after_tax_eur_gpu_h",
        "breakeven_equity_eur_per_gpu_hour": "breakeven_equity_eur_gpu_h", "equity_irr": "equity_irr_per_yr",
        "equity_npv_eur": "equity_npv_eur_bn", "peak_funding_eur": "peak_funding_eur_bn", "wacc": "wacc_per_yr",
    })


def _emit(args, table: pd.DataFrame, units: dict, payload: dict) -> bool:
    """Write ``table`` as CSV or ``payload`` as JSON when --format asks; False for the people's table."""
    if args.format == "csv":
        sys.stdout.write(csv_text(table, units))
    elif args.format == "json":
        sys.stdout.write(json_text(payload))
    return args.format != "table"


def cmd_summary(args) -> int:
    res = _run(args)
    units = res.summary.attrs["units"]
    if _emit(args, res.summary, units, {
        "scenario": res.inputs.scenario, "scenario_label": res.inputs.scenario_label, "units": units,
        "summary": res.summary, "cost_stack_units": res.cost_stack.attrs["units"], "cost_stack": res.cost_stack,
        "warnings": res.warnings,
    }):
        _print_warnings(res, args)
        return 0
    print(f"scenario: {res.inputs.scenario} - {res.inputs.scenario_label}")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(format_summary(res.summary).to_string())
    stack = res.cost_stack.loc["total"]
    if math.isnan(stack["lcoc"]):
        colocation = all(first_value(res.inputs.phase_view(p)["business_model"]) == 1 for p in res.inputs.phases)
        print("\nlevelized cost per GPU-hour (total) = n/a: no GPU-hours "
              + ("(colocation: the tenants own the GPUs)" if colocation else "(nothing built)"))
    else:
        print(f"\nlevelized cost per GPU-hour (total) = {stack['lcoc']:.4f} EUR/GPU-h; stack: "
              + ", ".join(f"{res.cost_stack.attrs['labels'][k]} {v:.4f}" for k, v in stack.drop("lcoc").items())
              + f" (sum {stack.drop('lcoc').sum():.4f})")
    be = res.breakevens.loc["total"]
    print("break-even price of a new GPU-hour (total; contract and merchant alike, every GPU generation at the same price): "
          + "; ".join(f"{label.removeprefix('Break-even price, ')} "
                      + ("n/a" if math.isnan(be[col]) else f"{be[col]:.3f} EUR/GPU-h")
                      for col, label in res.breakevens.attrs["labels"].items()))
    _print_warnings(res, args)
    return 0


def _file_name(text: str) -> str:
    """``text`` usable in a file name: letters, digits, '.', '_' and '-' kept, anything else '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text).strip(".")[:100] or "scenario"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _free_name(folder: Path, stem: str, taken: Path | None = None) -> Path:
    """``folder/stem.xlsx``, or ``stem_2.xlsx``, ``stem_3.xlsx``... : the first that is not ``taken``/not there."""
    path, k = folder / f"{stem}.xlsx", 1
    while (path.exists() and taken is None) or (taken is not None and _same_file(path, taken)):
        k += 1
        path = folder / f"{stem}_{k}.xlsx"
    return path


def report_path(args, scenario: str) -> tuple[Path, Path | None]:
    """Where the report goes, and where to keep a backup first (or None).

    Default reports/finmodel_<scenario>.xlsx, never the workbook read with
    --inputs-from; an explicit --out naming that workbook keeps a backup of it.
    """
    source = Path(args.inputs_from) if args.inputs_from else None
    if args.out is not None:
        out = Path(args.out)
        backup = _free_name(out.parent, f"{out.stem}.backup") if source and _same_file(out, source) else None
        return out, backup
    return _free_name(DEFAULT_REPORT_DIR, f"finmodel_{_file_name(scenario)}", taken=source or Path(os.devnull)), None


def cmd_report(args) -> int:
    step = steps(on_terminal(args.quiet))
    with step("running the model"):
        res = _run(args)
    out, backup = report_path(args, res.inputs.scenario)
    check_target(out)
    if args.inputs_from and args.out is None and out.name != f"finmodel_{_file_name(res.inputs.scenario)}.xlsx":
        _note(args, f"note: writing {out}, not over {args.inputs_from} (the workbook read; --out names it to replace "
                    "it, with a backup)")
    risk = None if args.no_risk else risk_tables(res, args.draws, args.seed, progress=on_terminal(args.quiet),
                                                 warn=lambda message: _note(args, f"warning: {message}"), step=step)
    if backup is not None:
        try:
            shutil.copy2(out, backup)
        except OSError as exc:
            raise ReportError(f"cannot keep a backup of {out} at {backup}: {exc.strerror or exc}; nothing written") from None
        _note(args, f"kept a copy of {out} (the workbook read) at {backup}")
    path, _ = write_report(res, out, risk=risk, step=step)
    total = res.summary.loc["total"]
    if not args.quiet:
        lcoc = total.lcoc_eur_per_gpu_hour
        print(f"wrote {path} (scenario {res.inputs.scenario}; NPV {total.npv_eur / 1e9:,.2f} EUR bn, levelized cost "
              + ("n/a: no GPU-hours)" if math.isnan(lcoc) else f"{lcoc:.3f} EUR/GPU-h)"))
    if args.pdf:
        with step("printing the committee pack to PDF (LibreOffice)"):
            pdf = export_pdf(path, path.with_suffix(".pdf"), PACK)
        if not args.quiet:
            print(f"wrote {pdf} (committee pack, {pdf_pages(pdf)} pages)")
    _print_warnings(res, args)
    return 0


def cmd_inputs(args) -> int:
    table = finmodel.list_inputs(args.scenario, inputs_dir=args.inputs_dir)
    if _emit(args, table, {}, {"scenario": load_inputs(args.scenario, inputs_dir=args.inputs_dir).scenario, "inputs": table}):
        return 0
    with pd.option_context("display.width", 250, "display.max_colwidth", 70, "display.max_rows", None):
        print(table[["name", "unit", "value", "allowed", "source"]].to_string(index=False))
    return 0


def cmd_scenarios(args) -> int:
    table = finmodel.list_scenarios(args.inputs_dir)
    if _emit(args, table, {}, {"scenarios": table}):
        return 0
    with pd.option_context("display.width", 250, "display.max_colwidth", 90):
        print(table[["name", "base", "label"]].to_string(index=False))
    return 0


def _base_case(args) -> tuple[str | None, dict, str]:
    """Scenario, overrides and case name that compare, sensitivity and the Monte Carlo start from.

    --scenario with --set, or --inputs-from's workbook (with --set on top):
    every value is checked here first, so errors name --set or the workbook cell.
    """
    inputs = _inputs(args)
    if args.inputs_from:
        kw = rerun_arguments(inputs)
        return kw["scenario"], kw["overrides"], inputs.scenario if inputs.scenario not in inputs.scenarios else CUSTOM
    return args.scenario, parse_set(args.set), CUSTOM


def cmd_compare(args) -> int:
    from finmodel.compare import compare

    cases: list = list(args.scenarios)
    base, overrides, name = _base_case(args)
    if overrides or args.inputs_from:
        cases.append({"name": name, "base": base, "overrides": overrides})
    table = compare(cases, inputs_dir=args.inputs_dir)
    if _emit(args, table, table.attrs["units"], {"reference": table.attrs["reference"], "labels": table.attrs["labels"],
                                                 "units": table.attrs["units"], "compare": table}):
        return 0
    cols = ["capex_eur", "npv_eur", "irr", "lcoc_eur_per_gpu_hour", "breakeven_eur_per_gpu_hour", "jobs_permanent_2030",
            "delta_npv_eur", "delta_lcoc_eur_per_gpu_hour"]
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:,.4g}".format):
        print(table[cols].to_string(na_rep="n/a"))  # n/a: no GPU-hours (colocation, nothing built)
    return 0


def cmd_sensitivity(args) -> int:
    import warnings

    from finmodel.sensitivity import breakevens, tornado

    base, overrides, _ = _base_case(args)
    table = tornado(base, inputs_dir=args.inputs_dir, overrides=overrides)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the message column says it
        be = breakevens(base, inputs_dir=args.inputs_dir, overrides=overrides)
    units = table.attrs["units"] | {"base": SEE_UNIT_COLUMN, "low": SEE_UNIT_COLUMN, "high": SEE_UNIT_COLUMN}
    if _emit(args, table, table.attrs["units"], {
        "scenario": table.attrs["scenario"], "entity": table.attrs["entity"], "units": units, "tornado": table,
        "breakeven_units": be.attrs["units"] | {"value": SEE_UNIT_COLUMN}, "breakevens": be,
    }):
        return 0
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:,.4g}".format):
        print("tornado (total, one driver at a time):")
        print(table[["low", "high", "npv_low", "npv_high", "npv_swing", "lcoc_low", "lcoc_high"]].to_string())
        print("\nbreak-even values (total NPV after tax = 0):")
        for driver, row in be.iterrows():
            print(f"  {driver}: {row['message']}")
    return 0


def cmd_montecarlo(args) -> int:
    from finmodel.montecarlo import monte_carlo

    base, overrides, _ = _base_case(args)
    mc = monte_carlo(args.draws, args.seed, scenario=base, inputs_dir=args.inputs_dir, overrides=overrides,
                     progress=on_terminal(args.quiet))
    percentiles = mc.percentiles()
    probs = pd.DataFrame({"prob_negative_npv": mc.prob_negative_npv(), "prob_covenant_breach": mc.prob_covenant_breach()})
    flat = percentiles.reset_index().join(probs, on="entity").set_index(["entity", "metric"])
    flat = flat[["unit", "p10", "p50", "p90", "mean", "n", "prob_negative_npv", "prob_covenant_breach"]]
    if _emit(args, flat, {"n": "draws", "prob_negative_npv": "-", "prob_covenant_breach": "-"}, {
        "n": mc.n, "seed": mc.seed, "scenario": mc.scenario, "covenant_dscr": mc.covenant, "units": mc.units,
        "percentiles": percentiles, "prob_negative_npv": mc.prob_negative_npv(),
        "prob_covenant_breach": mc.prob_covenant_breach(),
    }):
        return 0
    print(f"{mc.n:,} draws, seed {mc.seed}, scenario {mc.scenario}")
    table = mc.percentiles().reset_index()
    table = table[table.metric.isin(["npv", "irr_annual", "lcoc", "equity_irr", "min_dscr"])]
    with pd.option_context("display.width", 200, "display.float_format", "{:,.4g}".format):
        print(table[["entity", "metric", "unit", "p10", "p50", "p90", "mean"]].to_string(index=False, na_rep="n/a"))
        if table[["p10", "p50", "p90", "mean"]].isna().any(axis=None):
            print("n/a: no draw has a value (no GPU-hours when nothing is built; no IRR for a cash flow of one sign; "
                  "no DSCR without debt)")
        print("\nprobability that NPV < 0:")
        print(mc.prob_negative_npv().to_string(float_format="{:.1%}".format))
        print(f"\nprobability that the minimum DSCR is below the covenant ({mc.covenant:g}):")
        print(mc.prob_covenant_breach().to_string(float_format="{:.1%}".format))
    return 0


def cmd_init(args) -> int:
    folder = init_inputs(args.folder)
    print(f"copied the default inputs to {folder}: edit them, then run e.g. finmodel summary --inputs-dir {folder}")
    return 0


def cmd_docs(args) -> int:
    from finmodel.docs import model_book, write_model_book

    if args.out:
        print(f"wrote {write_model_book(args.out)}")
    else:
        sys.stdout.write(model_book())
    return 0


def _note(args, message: str) -> None:
    """A note or warning on stderr, unless --quiet."""
    if not args.quiet:
        print(message, file=sys.stderr)


def _print_warnings(res, args) -> None:
    for w in res.warnings:
        _note(args, f"warning: {w}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finmodel", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"finmodel {finmodel.__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")

    def command(name, help, fn, *, inputs=True, run=True, fmt=False):
        p = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".")
        p.set_defaults(fn=fn, parser=p, format="table", quiet=False)
        if inputs:
            p.add_argument("--inputs-dir", metavar="DIR", help="folder of inputs (default: the inputs shipped with "
                           "finmodel; 'finmodel init DIR' copies them for editing)")
        if run:
            p.add_argument("--scenario", metavar="NAME", help="scenario to run (default: the inputs' default "
                           "scenario; 'finmodel scenarios' lists them)")
            p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                           help="override an input, repeatable: --set discount_rate=0.09 --set alixan.gpus=50000; "
                                "'*.site_area_ha=10' sets a per-phase input in every phase, "
                                "rubin.gpu_price_usd=90000 a GPU generation's (generations.toml)")
            p.add_argument("--inputs-from", metavar="XLSX", help="read the inputs from the Inputs sheet of a report "
                           "edited in a spreadsheet (instead of --scenario)")
        if fmt:
            p.add_argument("--format", choices=FORMATS, default="table",
                           help="table: for people (default); csv or json: raw numbers with their units, for scripts")
        if run or fmt:
            p.add_argument("-q", "--quiet", action="store_true",
                           help="no warnings, notes or progress on stderr (errors still are)")
        return p

    command("summary", "print the headline figures per phase and total", cmd_summary, fmt=True)
    p = command("report", "write the Excel workbook, the model as live formulas", cmd_report)
    p.add_argument("--out", metavar="PATH", help="workbook path (default reports/finmodel_<scenario>.xlsx, never the "
                   "--inputs-from workbook; naming that workbook keeps a backup of it)")
    p.add_argument("--no-risk", action="store_true", help="leave out the Scenarios, Sensitivity and Monte Carlo sheets "
                   "(faster)")
    p.add_argument("--draws", type=int, metavar="N", help="Monte Carlo draws for the risk sheets (default 2000)")
    p.add_argument("--seed", type=int, help="Monte Carlo seed for the risk sheets, a whole number >= 0 (default 0)")
    p.add_argument("--pdf", action="store_true", help="also print the committee pack to a PDF beside the workbook "
                   "(LibreOffice)")
    p = command("compare", "print scenarios side by side, with differences from the first", cmd_compare, fmt=True)
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names; --set (on --scenario, default "
                   "the default scenario) or --inputs-from adds one more case, 'custom'")
    command("sensitivity", "print the tornado of NPV and levelized cost and the break-even values", cmd_sensitivity,
            fmt=True)
    p = command("montecarlo", "print Monte Carlo percentiles and P(NPV < 0) per phase and total", cmd_montecarlo,
                fmt=True)
    p.add_argument("-n", "--draws", type=int, default=10_000, metavar="N", help="number of draws (default 10,000)")
    p.add_argument("--seed", type=int, default=0, help="seed, a whole number >= 0; the same seed gives the same "
                   "numbers (default 0)")
    p = command("inputs", "list every input with its unit, value, allowed range and source", cmd_inputs, run=False,
                fmt=True)
    p.add_argument("--scenario", metavar="NAME", help="scenario whose values to list (default: the default scenario)")
    command("scenarios", "list the scenarios", cmd_scenarios, run=False, fmt=True)
    p = command("init", "copy the default inputs into a new or empty folder, to edit them", cmd_init, inputs=False,
                run=False)
    p.add_argument("folder", metavar="DIR", help="folder to create (refused if it exists and is not empty)")
    p = command("docs", "print the model book (every line item and input, docs/model.md) as Markdown", cmd_docs,
                inputs=False, run=False)
    p.add_argument("--out", metavar="PATH", help="write it to PATH instead (the repository's copy: docs/model.md)")
    return parser


def contradiction(args) -> str | None:
    """Options that cannot all be obeyed, in words (argparse accepts them one by one); None if there are none."""
    given = lambda name: getattr(args, name, None) not in (None, [], False)  # noqa: E731
    if args.command == "compare" and given("scenario") and not given("set"):
        return (f"--scenario {args.scenario} is the base of the --set case; without --set, list the scenarios to "
                f"compare: finmodel compare {' '.join(args.scenarios)} {args.scenario}")
    if given("inputs_from") and given("scenario"):
        return "--inputs-from reads the scenario and its inputs from the workbook: leave out --scenario"
    if args.command == "report" and args.no_risk and (given("draws") or given("seed")):
        return "--draws and --seed set the Monte Carlo of the risk sheets, which --no-risk leaves out: give one or the other"
    return None


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: temporary files are removed on the way out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors: argparse prints them and exits with status 2
    problem = contradiction(args)
    if problem:
        args.parser.error(problem)  # exits with status 2
    if args.command == "report":
        args.draws = 2000 if args.draws is None else args.draws
        args.seed = 0 if args.seed is None else args.seed
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        check_args(args)
        return args.fn(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (ReportError, InitError, RecalcError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REPORT
    except KeyboardInterrupt:
        print("interrupted: nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of the output went away (`finmodel inputs | head`): stop quietly, and keep Python
        # from failing again when it flushes stdout on exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
