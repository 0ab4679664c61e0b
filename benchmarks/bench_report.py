"""Benchmark of `finmodel report` (a script, not a test): its time beside the writer's floor.

    python benchmarks/bench_report.py [--repeat 3] [--no-risk]

Prints, each the median of ``--repeat`` runs in this process:

- the report: the model run, the risk tables (Scenarios, Sensitivity, Monte
  Carlo with 2,000 draws, as `finmodel report`), building the workbook,
  evaluating its stored values and saving it, each part timed;
- the reference: openpyxl (which writes every sheet but the calc sheets' monthly
  cells, streamed as XML by finmodel.excel.bulk) writing the same number of plain
  formula cells (``=A1+B1``, rows of 192 columns) and saving them;

and their ratio against the target (at most 1.5).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from openpyxl import Workbook

TARGET = 1.5


def _formula_cells(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(z.read(n).count(b"<f>") for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def time_report(folder: Path, risk: bool) -> tuple[dict[str, float], Path]:
    """Seconds of each part of `finmodel report`; the report's path."""
    import finmodel
    from finmodel.excel.stored import stored_values
    from finmodel.excel.writer import build_workbook, save_atomic
    from finmodel.risk import risk_tables

    parts = {}
    t = time.perf_counter()
    res = finmodel.run()
    parts["model run"] = time.perf_counter() - t
    t = time.perf_counter()
    tables = risk_tables(res, 2000, 0) if risk else None
    parts["risk tables"] = time.perf_counter() - t
    t = time.perf_counter()
    wb, layout = build_workbook(res, finmodel.__version__, tables)
    parts["build sheets"] = time.perf_counter() - t
    t = time.perf_counter()
    values = stored_values(wb, layout.calc, res)
    parts["stored values"] = time.perf_counter() - t
    t = time.perf_counter()
    path = save_atomic(wb, folder / "report.xlsx", values)
    parts["save"] = time.perf_counter() - t
    return parts, path


def time_plain(folder: Path, cells: int, columns: int = 192) -> float:
    """Seconds for openpyxl to write and save ``cells`` plain formula cells."""
    t = time.perf_counter()
    wb = Workbook()
    ws = wb.active
    rows = -(-cells // columns)
    for r in range(1, rows + 1):
        for c in range(1, min(columns, cells - (r - 1) * columns) + 1):
            ws.cell(row=r, column=c).value = f"=A{r}+B{r}"
    wb.save(folder / "plain.xlsx")
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-risk", action="store_true", help="leave out the risk tables, as `report --no-risk`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = [time_report(folder, not args.no_risk) for _ in range(args.repeat)]
        cells = _formula_cells(runs[-1][1])
        plain = statistics.median(time_plain(folder, cells) for _ in range(args.repeat))
    parts = {k: statistics.median(r[0][k] for r in runs) for k in runs[0][0]}
    report = sum(parts.values())
    print(f"finmodel report ({cells:,} formula cells, {'no ' if args.no_risk else ''}risk tables), "
          f"median of {args.repeat}: {report:.2f} s")
    for k, v in parts.items():
        print(f"  {k:14s} {v:6.2f} s  ({v / report:5.1%})")
    print(f"openpyxl, the same number of plain formula cells: {plain:.2f} s")
    ratio = report / plain
    print(f"ratio: {ratio:.2f} (target <= {TARGET}): {'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
