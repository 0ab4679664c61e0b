"""Hostile and careless input: every case gets a clear answer, and no file on disk changes.

Each CLI case asserts the exit status (finmodel.errors: 3 input error, 4 the
report cannot be written), that the message names the file or flag, the field,
the value and what is allowed, and that every file in the folder (and the
inputs) has the same SHA-256 afterwards. No LibreOffice needed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

import finmodel
from finmodel.cli import main
from finmodel.errors import EXIT_INPUT, FinmodelError, InputError, ReportError
from finmodel.excel.writer import build_workbook, write_report
from finmodel.inputs import DEFAULT_INPUTS_DIR

VERSION = finmodel.__version__


def snapshot(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folders`` (and the names of the folders there)."""
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
    return out


def error_of(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.startswith("error:"), captured.err
    return captured.err


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder (the default report folder reports/ lands there), no SOURCE_DATE_EPOCH."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def report_bytes(tmp_path_factory) -> bytes:
    """A default report without the risk sheets, as bytes."""
    path, _ = write_report(finmodel.run(), tmp_path_factory.mktemp("report") / "r.xlsx", VERSION)
    return path.read_bytes()


@pytest.fixture
def edited_report(report_bytes, tmp_path) -> Path:
    """reports/finmodel_nov_2025.xlsx (the default report's own name) with a user's extra sheet."""
    path = tmp_path / "reports" / "finmodel_nov_2025.xlsx"
    path.parent.mkdir()
    path.write_bytes(report_bytes)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("My notes")["A1"] = "my own work"
    wb.save(path)
    return path


# --- data loss -----------------------------------------------------------------------------------

def test_report_never_overwrites_the_workbook_it_reads(edited_report, capsys):
    before = snapshot(edited_report.parent)[str(edited_report)]
    assert main(["report", "--no-risk", "--inputs-from", str(edited_report)]) == 0
    captured = capsys.readouterr()
    assert snapshot(edited_report.parent)[str(edited_report)] == before, "the workbook read was overwritten"
    assert "My notes" in openpyxl.load_workbook(edited_report).sheetnames
    written = edited_report.parent / "finmodel_nov_2025_2.xlsx"
    assert "wrote reports/finmodel_nov_2025_2.xlsx" in captured.out
    assert str(edited_report) in captured.err and "not over" in captured.err
    assert sorted(p.name for p in edited_report.parent.iterdir()) == [edited_report.name, written.name]


def test_explicit_out_naming_the_workbook_read_keeps_a_backup(edited_report, capsys):
    before = edited_report.read_bytes()
    assert main(["report", "--no-risk", "--inputs-from", str(edited_report), "--out", str(edited_report)]) == 0
    backup = edited_report.parent / "finmodel_nov_2025.backup.xlsx"
    assert backup.read_bytes() == before
    assert str(backup) in capsys.readouterr().err
    assert "My notes" not in openpyxl.load_workbook(edited_report).sheetnames  # replaced, as asked
    # a second run keeps the first backup and makes another
    assert main(["report", "--no-risk", "--inputs-from", str(edited_report), "--out", str(edited_report)]) == 0
    assert backup.read_bytes() == before
    assert (edited_report.parent / "finmodel_nov_2025.backup_2.xlsx").is_file()


@pytest.mark.parametrize("argv, flag", [
    (["report", "--no-risk", "--out", ""], "--out"),
    (["report", "--no-risk", "--inputs-from", ""], "--inputs-from"),
    (["summary", "--inputs-from", " "], "--inputs-from"),
    (["summary", "--inputs-dir", ""], "--inputs-dir"),
    (["report", "--no-risk", "--out", "a\0b.xlsx"], "--out"),
    (["summary", "--inputs-from", "a\0b.xlsx"], "--inputs-from"),
])
def test_empty_or_nul_paths_are_input_errors(argv, flag, tmp_path, capsys):
    before = snapshot(tmp_path)
    assert main(argv) == EXIT_INPUT
    err = error_of(capsys)
    assert f"{flag}: (path):" in err
    assert "empty" in err or "NUL" in err
    assert "allowed: a path" in err
    assert snapshot(tmp_path) == before


def test_empty_scenario_is_unknown_not_the_default(tmp_path, capsys):
    assert main(["report", "--no-risk", "--scenario", ""]) == EXIT_INPUT
    err = error_of(capsys)
    assert "unknown scenario ''" in err and "allowed: nov_2025" in err and "scenarios.toml" in err
    assert snapshot(tmp_path) == {}
    with pytest.raises(InputError, match="unknown scenario ''"):
        finmodel.run("")


# --- injection ----------------------------------------------------------------------------------

def _inputs_with_scenario(folder: Path, name: str) -> Path:
    shutil.copytree(DEFAULT_INPUTS_DIR, folder)
    with (folder / "scenarios.toml").open("a") as fh:
        key = name.replace("\\", "\\\\").replace('"', '\\"').replace("\x01", "\\u0001")
        fh.write(f'\n["{key}"]\nlabel = "hostile"\nreading = "x"\nbase = "nov_2025"\n')
    return folder


@pytest.mark.parametrize("name, shown", [('=HYPERLINK("http://x","click")', '=HYPERLINK("http://x","click")'),
                                         ("ctl\x01name", "ctlname")])
def test_scenario_name_is_written_as_text(name, shown, tmp_path):
    inputs_dir = _inputs_with_scenario(tmp_path / "inputs", name)
    res = finmodel.run(name, inputs_dir=inputs_dir)
    wb, _ = build_workbook(res, VERSION)
    c3 = wb["Inputs"]["C3"]
    assert (c3.value, c3.data_type) == (shown, "s")
    assert c3.quotePrefix == shown.startswith("=")
    assert c3.style == "Input"
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert not (c.data_type == "f" and "HYPERLINK" in str(c.value).upper()), f"{ws.title}!{c.coordinate}"
                assert not (isinstance(c.value, str) and "\x01" in c.value), f"{ws.title}!{c.coordinate}"
    assert {p.name: p.value for p in wb.custom_doc_props}["scenario"] == shown


def test_scenario_names_make_safe_default_file_names(tmp_path, capsys):
    inputs_dir = _inputs_with_scenario(tmp_path / "inputs", "../../escape")
    assert main(["report", "--no-risk", "--inputs-dir", str(inputs_dir), "--scenario", "../../escape"]) == 0
    written = [p.name for p in (tmp_path / "reports").iterdir()]
    assert len(written) == 1 and written[0].startswith("finmodel_") and written[0].endswith("escape.xlsx"), written
    assert "/" not in written[0] and f"wrote reports/{written[0]}" in capsys.readouterr().out
    assert not list(tmp_path.parent.glob("escape*"))


# --- one exception family -------------------------------------------------------------------------

def test_one_exception_family():
    assert issubclass(InputError, ValueError) and issubclass(InputError, FinmodelError)
    assert issubclass(ReportError, FinmodelError)
    assert finmodel.InputError is InputError
