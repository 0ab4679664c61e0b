"""Hostile and careless input: every case gets a clear answer, and no file on disk changes.

Each CLI case asserts the exit status (finmodel.errors: 3 input error, 4 the
report cannot be written), that the message names the file or flag, the field,
the value and what is allowed, and that every file in the folder (and the
inputs) has the same SHA-256 afterwards. No LibreOffice needed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

import finmodel
from finmodel.cli import main
from finmodel.errors import EXIT_INPUT, FinmodelError, InputError, ReportError
from finmodel.excel.writer import build_workbook, write_report

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
def small_report(tmp_path_factory) -> Path:
    """The one-phase hand case's report (small: quick to edit), with a second scenario named 'Source'."""
    from conftest import HAND_PHASE, HAND_PLAN, write_inputs

    folder = tmp_path_factory.mktemp("small")
    inputs = write_inputs(folder / "inputs", HAND_PLAN, {"p": HAND_PHASE},
                          scenarios={"base": {}, "Source": {"discount_rate": 0.12}})
    path, _ = write_report(finmodel.run(inputs_dir=inputs), folder / "small.xlsx", VERSION)
    return path


@pytest.fixture(scope="module")
def hand_dir(small_report) -> Path:
    """The hand case's inputs folder (scenarios 'base' and 'Source')."""
    return small_report.parent / "inputs"


@pytest.fixture
def edited_report(small_report, tmp_path) -> Path:
    """reports/finmodel_base.xlsx (the default report's own name) with a user's extra sheet."""
    path = tmp_path / "reports" / "finmodel_base.xlsx"
    path.parent.mkdir()
    wb = openpyxl.load_workbook(small_report)
    wb.create_sheet("My notes")["A1"] = "my own work"
    wb.save(path)
    return path


# --- data loss -----------------------------------------------------------------------------------

def test_report_never_overwrites_the_workbook_it_reads(edited_report, hand_dir, capsys):
    before = snapshot(edited_report.parent)[str(edited_report)]
    assert main(["report", "--no-risk", "--inputs-dir", str(hand_dir), "--inputs-from", str(edited_report)]) == 0
    captured = capsys.readouterr()
    assert snapshot(edited_report.parent)[str(edited_report)] == before, "the workbook read was overwritten"
    assert "My notes" in openpyxl.load_workbook(edited_report).sheetnames
    written = edited_report.parent / "finmodel_base_2.xlsx"
    assert "wrote reports/finmodel_base_2.xlsx" in captured.out
    assert str(edited_report) in captured.err and "not over" in captured.err
    assert sorted(p.name for p in edited_report.parent.iterdir()) == [edited_report.name, written.name]


def test_explicit_out_naming_the_workbook_read_keeps_a_backup(edited_report, hand_dir, capsys):
    before = edited_report.read_bytes()
    argv = ["report", "--no-risk", "--inputs-dir", str(hand_dir), "--inputs-from", str(edited_report), "--out", str(edited_report)]
    assert main(argv) == 0
    backup = edited_report.parent / "finmodel_base.backup.xlsx"
    assert backup.read_bytes() == before
    assert str(backup) in capsys.readouterr().err
    assert "My notes" not in openpyxl.load_workbook(edited_report).sheetnames  # replaced, as asked
    # a second run keeps the first backup and makes another
    assert main(argv) == 0
    assert backup.read_bytes() == before
    assert (edited_report.parent / "finmodel_base.backup_2.xlsx").is_file()


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

def _inputs_with_scenario(hand_dir: Path, folder: Path, name: str) -> Path:
    shutil.copytree(hand_dir, folder)
    with (folder / "scenarios.toml").open("a") as fh:
        key = name.replace("\\", "\\\\").replace('"', '\\"').replace("\x01", "\\u0001")
        fh.write(f'\n["{key}"]\nlabel = "hostile"\nreading = "x"\nbase = "base"\n')
    return folder


@pytest.mark.parametrize("name, shown", [('=HYPERLINK("http://x","click")', '=HYPERLINK("http://x","click")'),
                                         ("ctl\x01name", "ctlname")])
def test_scenario_name_is_written_as_text(name, shown, hand_dir, tmp_path):
    inputs_dir = _inputs_with_scenario(hand_dir, tmp_path / "inputs", name)
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


def test_scenario_names_make_safe_default_file_names(hand_dir, tmp_path, capsys):
    inputs_dir = _inputs_with_scenario(hand_dir, tmp_path / "inputs", "../../escape")
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


# --- edited and corrupt workbooks (read-back) ---------------------------------------------------------

def _row(ws, name: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == name)


def _edited(small_report: Path, tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(small_report)
    edit(wb["Inputs"])
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def _read_back(path: Path, inputs_dir: Path | None = None):
    from finmodel.excel.readback import read_inputs_from_workbook

    before = snapshot(path.parent)
    try:
        return read_inputs_from_workbook(path, inputs_dir=inputs_dir or path.parent.parent / "inputs")
    finally:
        assert snapshot(path.parent) == before, "reading a workbook changed a file"


def _inputs_dir(small_report: Path) -> Path:
    return small_report.parent / "inputs"


def test_a_value_typed_over_the_live_formula_is_taken(small_report, tmp_path):
    path = _edited(small_report, tmp_path, lambda ws: ws.cell(row=_row(ws, "discount_rate"), column=4, value=0.2))
    assert _read_back(path, _inputs_dir(small_report)).values["discount_rate"] == 0.2


EDITS = {  # what a user did -> (edit of the Inputs sheet, texts the message must hold)
    "live value cleared": (lambda ws: setattr(ws.cell(row=_row(ws, "discount_rate"), column=4), "value", None),
                           ["Inputs!D", "discount_rate", "Live value None", "allowed: the formula =INDEX"]),
    "live value out of range": (lambda ws: ws.cell(row=_row(ws, "discount_rate"), column=4, value=7),
                                ["Inputs!D", "discount_rate", "7 is out of range", "allowed: a number > 0"]),
    "text in a value cell": (lambda ws: ws.cell(row=_row(ws, "discount_rate"), column=6, value="ten percent"),
                             ["Inputs!F", "discount_rate", "'ten percent' is not a number", "allowed:"]),
    "text in a curve year": (lambda ws: ws.cell(row=_row(ws, "power_price_index_years"), column=7, value="abc"),
                             ["Inputs!G", "power_price_index_years", "'abc' is not a year", "allowed: the years 2025-2026"]),
    "huge curve value": (lambda ws: ws.cell(row=_row(ws, "power_price_index_values"), column=6, value=1e308),
                         ["Inputs!F", "power_price_index_values", "1e+308 is out of range", "<= 10"]),
    "deleted scenario column": (lambda ws: ws.delete_cols(7),
                                ["power_price_index_years", "[2026] missing", "deleting a scenario column"]),
    "model start edited": (lambda ws: ws.cell(row=_row(ws, "model_start"), column=4, value=45000),
                           ["Inputs!D", "model_start", "45000", "allowed: the value written"]),
    "unknown scenario selected": (lambda ws: ws.cell(row=3, column=3, value="nope"),
                                  ["Inputs!C3 (Scenario)", "'nope' is not a scenario column", "allowed: base, Source"]),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_edited_workbook_errors_name_the_cell(case, small_report, tmp_path):
    edit, texts = EDITS[case]
    path = _edited(small_report, tmp_path, edit)
    with pytest.raises(InputError) as info:
        _read_back(path, _inputs_dir(small_report))
    message = str(info.value)
    assert "edited.xlsx" in message
    for text in texts:
        assert text in message, f"{text!r} not in {message}"


def test_a_scenario_named_source_reads_back(small_report, tmp_path):
    path = _edited(small_report, tmp_path, lambda ws: ws.cell(row=3, column=3, value="Source"))
    inputs = _read_back(path, _inputs_dir(small_report))
    assert inputs.scenario == "Source" and inputs.values["discount_rate"] == 0.12


def _rezip(src: Path, dst: Path, change) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)
        extra = change("(extra)", b"")
        if extra:
            zout.writestr("xl/sharedStrings.xml", extra)
    return dst


def _inputs_part(name: str) -> bool:
    return name.startswith("xl/worksheets/sheet") and name.endswith(".xml")


CORRUPT = {  # how the file is broken -> (make it, texts the message must hold)
    "truncated": (lambda src, dst: dst.write_bytes(src.read_bytes()[:5000]) and dst, ["(file)", "cannot be read"]),
    "not a zip": (lambda src, dst: dst.write_text("name,value\n") and dst, ["(file)", "cannot be read"]),
    "malformed XML": (lambda src, dst: _rezip(src, dst, lambda n, d: d[: len(d) // 2] if _inputs_part(n) else d),
                      ["(file)", "malformed XML"]),
    "no Inputs sheet": (lambda src, dst: (openpyxl.Workbook().save(dst), dst)[1], ["has no Inputs sheet"]),
    "zip bomb": (lambda src, dst: _rezip(src, dst, lambda n, d: b"<sst>" + b" " * (3 * 2**20) if n == "(extra)" else d),
                 ["xl/sharedStrings.xml", "unpacks to more than 2,097,152 bytes"]),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_corrupt_workbook_is_an_input_error(case, small_report, tmp_path, monkeypatch, capsys):
    import finmodel.excel.readback as readback

    monkeypatch.setattr(readback, "MAX_PART_BYTES", 2 * 2**20)  # the limit, scaled down to keep the test small
    make, texts = CORRUPT[case]
    path = make(small_report, tmp_path / "bad.xlsx")
    before = snapshot(tmp_path)
    assert main(["summary", "--inputs-from", str(path), "--inputs-dir", str(_inputs_dir(small_report))]) == EXIT_INPUT
    err = error_of(capsys)
    assert "bad.xlsx" in err and "allowed" in err
    for text in texts:
        assert text in err, f"{text!r} not in {err}"
    assert snapshot(tmp_path) == before


def test_file_size_is_checked_before_reading(small_report, tmp_path, monkeypatch):
    import finmodel.excel.readback as readback

    monkeypatch.setattr(readback, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match=r"bytes; allowed: at most 1,000"):
        _read_back(small_report, _inputs_dir(small_report))


# --- input files ---------------------------------------------------------------------------------------

def _hand(tmp_path: Path, **kw) -> Path:
    from conftest import HAND_PHASE, HAND_PLAN, write_inputs

    return write_inputs(tmp_path / "inputs", HAND_PLAN, {"p": HAND_PHASE}, **kw)


def _problems(inputs_dir: Path, scenario=None) -> str:
    before = snapshot(inputs_dir)
    with pytest.raises(InputError) as info:
        finmodel.run(scenario, inputs_dir=inputs_dir)
    assert snapshot(inputs_dir) == before
    return str(info.value)


ANN = '[[announcement]]\nid = "{id}"\ndate = {date}\nsource = "s"\nwhat = "w"\nscope = ["p"]\ngpus = {gpus}\n{extra}\n'


@pytest.mark.parametrize("entries, texts", [
    ([dict(id="a"), dict(id="a")], ["announcement #2 (a).id", "'a' is also announcement #1's id", "allowed: an id of its own"]),
    ([dict(date='"2025-13-45"')], ["announcement #1 (a).date", "'2025-13-45' is not a date", "allowed: a date 'YYYY-MM-DD'"]),
    ([dict(date='"someday"')], ["'someday' is not a date"]),
    ([dict(gpus=0)], ["announcement #1 (a).gpus", "0; allowed: a number > 0", "leave the field out"]),
    ([dict(extra="note = 3")], ["announcement #1 (a).note", "3 is not a text; allowed: a text"]),
])
def test_bad_announcements(entries, texts, tmp_path):
    text = "".join(ANN.format(**{"id": "a", "date": '"2025-02-10"', "gpus": 100, "extra": "", **e}) for e in entries)
    message = _problems(_hand(tmp_path, announcements=text))
    assert "announcements.toml" in message
    for t in texts:
        assert t in message, f"{t!r} not in {message}"


def test_announcement_as_a_toml_date_is_fine(tmp_path):
    finmodel.run(inputs_dir=_hand(tmp_path, announcements=ANN.format(id="a", date="2025-02-10", gpus=100, extra="")))


def _append(path: Path, text: str) -> None:
    with path.open("a") as fh:
        fh.write(text)


@pytest.mark.parametrize("extra, texts", [
    ('\n[custom]\nlabel = "mine"\n', ["['custom']", "'custom' is reserved", "allowed: any other name"]),
    ('\n[""]\nlabel = "empty"\n', ["['']", "scenario name '' is empty", "allowed: any other name"]),
    ('\n[a]\nbase = "b"\n[b]\nbase = "a"\n[c]\nbase = "a"\n', ["'a' makes a cycle of bases (a -> b -> a)"]),
])
def test_bad_scenarios(extra, texts, tmp_path):
    inputs = _hand(tmp_path)
    _append(inputs / "scenarios.toml", extra)
    message = _problems(inputs)
    assert "scenarios.toml" in message and message.count("cycle") <= 1 and "not another scenario" not in message
    for t in texts:
        assert t in message, f"{t!r} not in {message}"


def test_non_text_label_and_note_are_refused(tmp_path):
    inputs = _hand(tmp_path)
    phases = (inputs / "phases.toml").read_text()
    (inputs / "phases.toml").write_text(phases.replace('label = "p"', "label = 42\nnote = [1]"))
    message = _problems(inputs)
    assert "phases.toml: p.label: 42 is not a text; allowed: a text" in message
    assert "phases.toml: p.note: [1] is not a text" in message


def test_utf8_bom_in_toml_is_accepted_like_in_csv(tmp_path):
    inputs = _hand(tmp_path)
    plain = finmodel.run(inputs_dir=inputs).summary
    for name in ("plan.toml", "phases.toml", "scenarios.toml"):
        (inputs / name).write_bytes(b"\xef\xbb\xbf" + (inputs / name).read_bytes())
    assert finmodel.run(inputs_dir=inputs).summary.equals(plain)


@pytest.mark.parametrize("value, text", [("1e308", "1e+308 is out of range"), ("inf", "inf is not a finite number"),
                                         ("-0.5", "-0.5 is out of range")])
def test_curve_values_must_be_in_the_spec_range(value, text, tmp_path):
    inputs = _hand(tmp_path)
    (inputs / "curves" / "power_price_index.csv").write_text(f"year,value\n2025,1\n2026,{value}\n")
    message = _problems(inputs)
    assert f"power_price_index.csv: line 3, value: {text}; allowed: a number >= 0 and <= 10 [-]" in message


@pytest.mark.parametrize("inputs_dir, text", [(b"/tmp", "is a bytes; allowed"), ("", "'' is empty"),
                                              ("no/such/folder", "does not exist"), ("a\0b", "NUL byte")])
def test_bad_inputs_dir_is_an_input_error(inputs_dir, text):
    with pytest.raises(InputError, match=re.escape(text)):
        finmodel.run(inputs_dir=inputs_dir)


# --- every subcommand honours --inputs-from ------------------------------------------------------------

def test_compare_uses_the_edited_workbook(small_report, tmp_path, capsys):
    path = _edited(small_report, tmp_path, lambda ws: ws.cell(row=_row(ws, "discount_rate"), column=4, value=0.2))
    inputs_dir = str(_inputs_dir(small_report))
    edited_npv = finmodel.run(inputs_dir=inputs_dir, overrides={"discount_rate": 0.2}).summary.loc["total", "npv_eur"]
    before = snapshot(tmp_path)
    assert main(["compare", "base", "--inputs-dir", inputs_dir, "--inputs-from", str(path)]) == 0
    out = capsys.readouterr().out
    base_npv = finmodel.run(inputs_dir=inputs_dir).summary.loc["total", "npv_eur"]
    custom = out[out.index("\ncustom"):]
    assert f"{edited_npv:,.4g}" in custom and f"{base_npv:,.4g}" not in custom, out
    assert snapshot(tmp_path) == before


def test_set_errors_name_set_in_every_subcommand(capsys):
    for argv in (["compare", "nov_2025"], ["sensitivity"], ["montecarlo", "-n", "10"]):
        assert main([*argv, "--set", "discount_rate=7"]) == EXIT_INPUT
        err = error_of(capsys)
        assert "--set: discount_rate: 7 is out of range; allowed: a number > 0" in err, (argv, err)
        assert "overrides:" not in err


def test_bad_set_with_inputs_from_blames_set_not_the_cell(small_report, capsys):
    argv = ["summary", "--inputs-dir", str(_inputs_dir(small_report)), "--inputs-from", str(small_report)]
    assert main([*argv, "--set", "discount_rate=7"]) == EXIT_INPUT
    err = error_of(capsys)
    assert "--set: discount_rate: 7 is out of range" in err and "Inputs!" not in err


def test_same_inputs_in_two_folders_give_the_same_bytes(tmp_path):
    """No absolute path in the workbook: sources name the inputs file relative to the inputs folder."""
    from conftest import HAND_PHASE, HAND_PLAN, write_inputs

    books = []
    for where in ("a/inputs", "somewhere/else/inputs"):
        inputs = write_inputs(tmp_path / where, HAND_PLAN, {"p": HAND_PHASE}, scenarios={"base": {"discount_rate": 0.12}})
        res = finmodel.run(inputs_dir=inputs)
        assert res.inputs.sources["discount_rate"].startswith("scenarios.toml [base]: overrides ")
        books.append(write_report(res, tmp_path / where / "r.xlsx", VERSION)[0].read_bytes())
    assert books[0] == books[1]
    with zipfile.ZipFile(tmp_path / "a/inputs/r.xlsx") as z:
        assert not [n for n in z.namelist() if str(tmp_path).encode() in z.read(n)]


# --- NaN never reaches a user unexplained ----------------------------------------------------------------

def test_nothing_built_says_n_a_with_the_reason(tmp_path, capsys):
    inputs = str(_hand(tmp_path))
    nothing = ["--set", "p.gpus=0", "--set", "p.it_mw=0"]
    assert main(["summary", "--inputs-dir", inputs, *nothing]) == 0
    captured = capsys.readouterr()
    assert "levelized cost per GPU-hour (total) = n/a: no GPU-hours (nothing built)" in captured.out
    assert "total: no GPUs built (gpus = 0): no GPU-hours, so the levelized cost, the break-even price" in captured.err
    assert "nan" not in (captured.out + captured.err).lower()
    assert main(["report", "--no-risk", "--inputs-dir", inputs, *nothing, "--out", str(tmp_path / "r.xlsx")]) == 0
    assert "levelized cost n/a: no GPU-hours)" in capsys.readouterr().out


def test_report_of_a_run_with_a_monthly_override_is_an_input_error(tmp_path):
    import numpy as np

    inputs = _hand(tmp_path)
    periods = finmodel.load_inputs(inputs_dir=inputs).periods
    res = finmodel.run(inputs_dir=inputs, overrides={"utilisation": np.linspace(0.5, 0.9, periods)})
    with pytest.raises(InputError, match=r"overrides: utilisation: one value per month \(shape \(12,\)\); allowed in a "
                                         r"workbook: one value per input"):
        write_report(res, tmp_path / "r.xlsx", VERSION)
    assert not (tmp_path / "r.xlsx").exists()


# --- clean exits (real processes) -----------------------------------------------------------------------

def _finmodel(*args: str, **kw):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "finmodel", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


def test_output_into_a_closed_pipe_is_quiet():
    from finmodel.errors import EXIT_BROKEN_PIPE

    proc = _finmodel("inputs")
    first = [proc.stdout.readline() for _ in range(2)]
    proc.stdout.close()  # as `| head -2` does
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert first[1].split()[0] == "months_per_year" and err == ""


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_interrupted_report_leaves_the_previous_one_and_no_temporary_file(signum, small_report, tmp_path):
    import signal
    import time

    from finmodel.errors import EXIT_INTERRUPTED

    target = tmp_path / "r.xlsx"
    report_bytes = small_report.read_bytes()
    target.write_bytes(report_bytes)
    proc = _finmodel("report", "--no-risk", "--out", str(target))  # the default plan: a save long enough to hit
    deadline = time.monotonic() + 300
    while not list(tmp_path.glob(".r.*.xlsx.tmp")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # until the save has begun: the temporary file is there
    proc.send_signal(getattr(signal, signum))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "interrupted: nothing written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]
    assert target.read_bytes() == report_bytes


DISK_FULL = """
import errno, io, sys, zipfile

real_open = io.open


class Full:
    '''A file on a disk that fills up after 20 kB: every later write fails too.'''

    def __init__(self, f):
        self.f, self.n = f, 0

    def write(self, data):
        self.n += len(data)
        if self.n > 20_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.f.write(data)

    def __getattr__(self, name):
        return getattr(self.f, name)


def full_open(file, mode="r", *args, **kwargs):
    f = real_open(file, mode, *args, **kwargs)
    return Full(f) if "w" in mode and str(file).endswith(".xlsx.tmp") else f


zipfile.io = type("io", (), {"open": staticmethod(full_open), "BytesIO": io.BytesIO, "BufferedIOBase": io.BufferedIOBase,
                              "SEEK_SET": io.SEEK_SET, "SEEK_CUR": io.SEEK_CUR, "SEEK_END": io.SEEK_END})
from finmodel.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_full_disk_gives_one_message_and_keeps_the_previous_report(small_report, hand_dir, tmp_path):
    import subprocess
    import sys

    from finmodel.errors import EXIT_REPORT

    target = tmp_path / "r.xlsx"
    report_bytes = small_report.read_bytes()
    target.write_bytes(report_bytes)
    done = subprocess.run([sys.executable, "-c", DISK_FULL, "report", "--no-risk", "--inputs-dir", str(hand_dir),
                           "--out", str(target)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_REPORT, done.stderr
    assert done.stderr.startswith(f"error: cannot write {target}: No space left on device; the previous report")
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]
    assert target.read_bytes() == report_bytes


# --- command-line values checked before anything runs -----------------------------------------------------

@pytest.mark.parametrize("argv, env, texts", [
    (["montecarlo", "--seed", "-1"], None, ["--seed: -1; allowed: a whole number >= 0"]),
    (["report", "--seed", "-1"], None, ["--seed: -1; allowed: a whole number >= 0"]),
    (["montecarlo", "-n", "1000000000"], None, ["--draws: 1000000000 (1,000,000,000 draws would need about 652 GiB",
                                                "allowed: a whole number from 1 to 1,000,000"]),
    (["montecarlo", "-n", str(10**30)], None, ["--draws: 1000000000000000000000000000000", "allowed: a whole number"]),
    (["report", "--draws", "0"], None, ["--draws: 0; allowed: a whole number from 1 to 1,000,000"]),
    (["report", "--out", "x" * 250 + ".xlsx"], None, ["--out: (name):", "255 bytes long; allowed: a file name of at most 200"]),
    (["report", "--no-risk"], "abc", ["SOURCE_DATE_EPOCH: 'abc' is not a whole number", "allowed: 0 to 4102444799"]),
    (["report", "--no-risk"], "1e9", ["SOURCE_DATE_EPOCH: '1e9'"]),
    (["report", "--no-risk"], "5000000000", ["SOURCE_DATE_EPOCH: '5000000000'", "2099-12-31"]),
])
def test_bad_option_values_are_input_errors_before_the_run(argv, env, texts, tmp_path, monkeypatch, capsys):
    import finmodel.cli as cli

    if env is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", env)
    monkeypatch.setattr(cli, "_inputs", lambda args: pytest.fail("the run started before the options were checked"))
    assert main(argv) == EXIT_INPUT
    err = error_of(capsys)
    for t in texts:
        assert t in err, f"{t!r} not in {err}"
    assert snapshot(tmp_path) == {}


def test_monte_carlo_api_checks_draws_and_seed():
    from finmodel.montecarlo import monte_carlo

    with pytest.raises(InputError) as info:
        monte_carlo(0, seed=-1)
    assert "monte_carlo: n: 0; allowed: a whole number from 1" in str(info.value)
    assert "monte_carlo: seed: -1; allowed: a whole number >= 0" in str(info.value)
