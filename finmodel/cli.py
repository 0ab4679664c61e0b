"""Command line: ``finmodel summary | report | inputs | scenarios | compare | sensitivity | montecarlo``.

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
from finmodel.excel.writer import check_target, timestamp, write_report
from finmodel.inputs import CUSTOM, load_inputs
from finmodel.risk import rerun_arguments, risk_tables
from finmodel.workspace import InitError, init_inputs

DEFAULT_REPORT_DIR = Path("reports")


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
        "breakeven_eur_per_gpu_hour": num("{:.3f}"), "jobs_permanent_2030": num("{:,.0f}"), "jobs_construction_peak": num("{:,.0f}"),
        "jobs_construction_peak_year": num("{:.0f}"), "first_service": str,
        "full_service": str, "equity_irr": num("{:.1%}"), "equity_npv_eur": num("{:,.2f}"), "min_dscr": num("{:.2f}"),
        "peak_funding_eur": num("{:,.2f}"), "peak_funding_month": str, "wacc": num("{:.1%}"),
    }
    shown = summary.copy()
    for col in ("capex_eur", "npv_eur", "equity_npv_eur", "peak_funding_eur"):
        shown[col] = shown[col] / 1e9
    out = pd.DataFrame({col: shown[col].map(fmt) for col, fmt in formats.items()}, index=shown.index)
    return out.rename(columns={
        "capex_eur": "capex_eur_bn", "npv_eur": "npv_eur_bn", "irr": "irr_per_yr", "lcoc_eur_per_gpu_hour": "lcoc_eur_gpu_h",
        "breakeven_eur_per_gpu_hour": "breakeven_eur_gpu_h", "equity_irr": "equity_irr_per_yr",
        "equity_npv_eur": "equity_npv_eur_bn", "peak_funding_eur": "peak_funding_eur_bn", "wacc": "wacc_per_yr",
    })


def cmd_summary(args) -> int:
    res = _run(args)
    print(f"scenario: {res.inputs.scenario} - {res.inputs.scenario_label}")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(format_summary(res.summary).to_string())
    stack = res.cost_stack.loc["total"]
    print(f"\nlevelized cost per GPU-hour (total) = {stack['lcoc']:.4f} EUR/GPU-h; stack: "
          + ", ".join(f"{res.cost_stack.attrs['labels'][k]} {v:.4f}" for k, v in stack.drop("lcoc").items())
          + f" (sum {stack.drop('lcoc').sum():.4f})")
    _print_warnings(res)
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
    res = _run(args)
    out, backup = report_path(args, res.inputs.scenario)
    check_target(out)
    if args.inputs_from and args.out is None and out.name != f"finmodel_{_file_name(res.inputs.scenario)}.xlsx":
        print(f"note: writing {out}, not over {args.inputs_from} (the workbook read; --out names it to replace it, "
              "with a backup)", file=sys.stderr)
    risk = None if args.no_risk else risk_tables(res, args.draws, args.seed, progress=sys.stderr.isatty(),
                                                 warn=lambda message: print(f"warning: {message}", file=sys.stderr))
    if backup is not None:
        try:
            shutil.copy2(out, backup)
        except OSError as exc:
            raise ReportError(f"cannot keep a backup of {out} at {backup}: {exc.strerror or exc}; nothing written") from None
        print(f"kept a copy of {out} (the workbook read) at {backup}", file=sys.stderr)
    path, _ = write_report(res, out, risk=risk)
    total = res.summary.loc["total"]
    print(f"wrote {path} (scenario {res.inputs.scenario}; NPV {total.npv_eur / 1e9:,.2f} EUR bn, "
          f"levelized cost {total.lcoc_eur_per_gpu_hour:.3f} EUR/GPU-h)")
    _print_warnings(res)
    return 0


def cmd_inputs(args) -> int:
    table = finmodel.list_inputs(args.scenario, inputs_dir=args.inputs_dir)
    with pd.option_context("display.width", 250, "display.max_colwidth", 70, "display.max_rows", None):
        print(table[["name", "unit", "value", "allowed", "source"]].to_string(index=False))
    return 0


def cmd_scenarios(args) -> int:
    table = finmodel.list_scenarios(args.inputs_dir)
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
    cols = ["capex_eur", "npv_eur", "irr", "lcoc_eur_per_gpu_hour", "breakeven_eur_per_gpu_hour", "jobs_permanent_2030",
            "delta_npv_eur", "delta_lcoc_eur_per_gpu_hour"]
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:,.4g}".format):
        print(table[cols].to_string())
    return 0


def cmd_sensitivity(args) -> int:
    import warnings

    from finmodel.sensitivity import breakevens, tornado

    base, overrides, _ = _base_case(args)
    table = tornado(base, inputs_dir=args.inputs_dir, overrides=overrides)
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.float_format", "{:,.4g}".format):
        print("tornado (total, one driver at a time):")
        print(table[["low", "high", "npv_low", "npv_high", "npv_swing", "lcoc_low", "lcoc_high"]].to_string())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the message column says it
            be = breakevens(base, inputs_dir=args.inputs_dir, overrides=overrides)
        print("\nbreak-even values (total NPV after tax = 0):")
        for driver, row in be.iterrows():
            print(f"  {driver}: {row['message']}")
    return 0


def cmd_montecarlo(args) -> int:
    from finmodel.montecarlo import monte_carlo

    base, overrides, _ = _base_case(args)
    mc = monte_carlo(args.draws, args.seed, scenario=base, inputs_dir=args.inputs_dir, overrides=overrides, progress=True)
    print(f"{mc.n:,} draws, seed {mc.seed}, scenario {mc.scenario}")
    table = mc.percentiles().reset_index()
    table = table[table.metric.isin(["npv", "irr_annual", "lcoc", "equity_irr", "min_dscr"])]
    with pd.option_context("display.width", 200, "display.float_format", "{:,.4g}".format):
        print(table[["entity", "metric", "unit", "p10", "p50", "p90", "mean"]].to_string(index=False))
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


def _print_warnings(res) -> None:
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finmodel", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, run_options=True):
        p.add_argument("--inputs-dir", metavar="DIR",
                       help="folder of inputs (default: the inputs shipped with finmodel; 'finmodel init DIR' copies them)")
        p.add_argument("--scenario", help="scenario name (see 'finmodel scenarios')")
        if run_options:
            p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                           help="override an input, e.g. --set discount_rate=0.09 --set alixan.gpus=50000")
            p.add_argument("--inputs-from", metavar="XLSX", help="read inputs from the Inputs sheet of an edited report")

    p = sub.add_parser("summary", help="print the summary table")
    common(p)
    p.set_defaults(fn=cmd_summary)
    p = sub.add_parser("report", help="write the Excel workbook (default reports/finmodel_<scenario>.xlsx)")
    common(p)
    p.add_argument("--out", help="workbook path (default reports/finmodel_<scenario>.xlsx, never the --inputs-from "
                   "workbook; naming that workbook keeps a backup of it)")
    p.add_argument("--no-risk", action="store_true", help="leave out the Scenarios, Sensitivity and Monte Carlo sheets")
    p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws for the report (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    p.set_defaults(fn=cmd_report)
    p = sub.add_parser("compare", help="scenarios side by side, with differences from the first")
    p.add_argument("scenarios", nargs="+", help="scenario names; --set adds a 'custom' case on --scenario")
    common(p)
    p.set_defaults(fn=cmd_compare)
    p = sub.add_parser("sensitivity", help="tornado of NPV and levelized cost, and break-even values")
    common(p)
    p.set_defaults(fn=cmd_sensitivity)
    p = sub.add_parser("montecarlo", help="Monte Carlo: P10/P50/P90 and P(NPV < 0) per phase, with a progress bar")
    common(p)
    p.add_argument("-n", "--draws", type=int, default=10_000, help="draws (default 10,000)")
    p.add_argument("--seed", type=int, default=0, help="seed, a whole number >= 0 (default 0)")
    p.set_defaults(fn=cmd_montecarlo)
    p = sub.add_parser("inputs", help="list every input with unit, value, allowed range and source")
    common(p, run_options=False)
    p.set_defaults(fn=cmd_inputs)
    p = sub.add_parser("scenarios", help="list the scenarios")
    p.add_argument("--inputs-dir", metavar="DIR", help="folder of inputs (default: the inputs shipped with finmodel)")
    p.set_defaults(fn=cmd_scenarios)
    p = sub.add_parser("init", help="copy the default inputs into a new or empty folder, to edit them")
    p.add_argument("folder", metavar="DIR", help="folder to create (refused if it exists and is not empty)")
    p.set_defaults(fn=cmd_init)
    p = sub.add_parser("docs", help="print the model book (every line item and input; docs/model.md) as Markdown")
    p.add_argument("--out", metavar="PATH", help="write it to PATH instead (the repository's copy: docs/model.md)")
    p.set_defaults(fn=cmd_docs)
    return parser


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: temporary files are removed on the way out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors: argparse prints them and exits with status 2
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        check_args(args)
        return args.fn(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except (ReportError, InitError) as exc:
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
