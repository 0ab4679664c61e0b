"""No report is ever lost or half-written.

Safe text: labels and sources from the inputs are text cells, never formulas.
Reproducible: the same results give the same bytes; the Cover's inputs hash
follows the inputs. Atomic: a failed export leaves the previous report as it
was and no temporary files; a read-only folder or an open report gives a
ReportError naming it. CLI: errors are one clear message; exit status 3 for input errors, 4 when the
report cannot be written.
No LibreOffice needed.
"""

from __future__ import annotations

import errno
import re
import shutil
import stat
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import finmodel
import finmodel.excel.writer as writer
from finmodel.cli import main
from finmodel.errors import EXIT_INPUT, EXIT_REPORT
from finmodel.excel.writer import ReportError, build_workbook, save_atomic, write_report
from finmodel.inputs import InputError, load_inputs
from finmodel.spec import SPEC_BY_NAME
from finmodel.timeline import from_serial

from conftest import HAND_PHASE, HAND_PLAN, write_inputs

VERSION = finmodel.__version__
EXCEL_CELL_LIMIT = 32_767  # characters in one cell (Excel specifications and limits)


@pytest.fixture(scope="module")
def default_res(default_results):
    return default_results


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    """The one-phase hand case's inputs: its workbook builds and saves in a fraction of the default's time, and
    the Cover's hash and a save's failure paths are the same code whatever the workbook holds."""
    return write_inputs(tmp_path_factory.mktemp("small") / "inputs", HAND_PLAN, {"p": HAND_PHASE})


@pytest.fixture(scope="module")
def small_res(small_dir):
    return finmodel.run(inputs_dir=small_dir)


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch):
    """Tests here compare bytes: no SOURCE_DATE_EPOCH from the environment unless a test sets one."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# --- helpers ---------------------------------------------------------------------------------

def set_source(text: str, header: str, new: str) -> str:
    """Replace the first ``source = "..."`` line after ``header`` by a TOML literal string ``new``."""
    i = text.index(header)
    m = re.compile(r'^source = ".*"$', re.M).search(text, i)
    assert m is not None, f"no source line after {header}"
    assert "'" not in new
    return text[:m.start()] + f"source = '{new}'" + text[m.end():]


def formulas_in_zip(path: Path) -> list[str]:
    """Every <f> element's text in every worksheet part of a saved workbook."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                out += re.findall(r"<f(?:\s[^>]*)?>(.*?)</f>", z.read(name).decode(), flags=re.S)
    return out


def cells_with(wb, text: str) -> list:
    return [c for ws in wb for row in ws.iter_rows() for c in row if c.value == text]


def cover_hash(wb) -> str:
    cover = wb["Cover"]
    for r in range(1, cover.max_row + 1):
        label = cover.cell(row=r, column=1).value
        if isinstance(label, str) and label.startswith("Inputs hash"):
            return cover.cell(row=r, column=2).value
    raise AssertionError("no 'Inputs hash' row on the Cover")


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- safe text ---------------------------------------------------------------------------------

PHASE_LABEL = '=HYPERLINK("x")'
SOURCES = {  # input table header in plan.toml -> source text that a spreadsheet could read as a formula
    "[inputs.discount_rate]": "=SUM(1,2)*MARKEREQ",
    "[inputs.pue]": "+MARKERPLUS(1)",
    "[inputs.utilisation]": "-MARKERMINUS+2",
    "[inputs.usd_per_eur]": '@MARKERAT|"/c calc"!A0',
}


@pytest.fixture
def hostile_inputs(default_inputs_copy) -> Path:
    """The default inputs with a formula-like phase label, sources, scenario label and announcement source."""
    d = default_inputs_copy
    phases = (d / "phases.toml").read_text()
    assert 'label = "Valence / Alixan (Rovaltain)"' in phases
    (d / "phases.toml").write_text(phases.replace('label = "Valence / Alixan (Rovaltain)"', f"label = '{PHASE_LABEL}'"))
    plan = (d / "plan.toml").read_text()
    for header, source in SOURCES.items():
        plan = set_source(plan, header, source)
    plan = set_source(plan, "[curves.power_price_index]", "=MARKERCURVE()")
    (d / "plan.toml").write_text(plan)
    scen = (d / "scenarios.toml").read_text()
    assert 'label = "Nov 2025 announcement (default)"' in scen
    (d / "scenarios.toml").write_text(scen.replace('label = "Nov 2025 announcement (default)"', "label = '=MARKERSCEN()'"))
    ann = (d / "announcements.toml").read_text()
    (d / "announcements.toml").write_text(re.sub(r'^source = ".*"$', "source = '@MARKERANN()'", ann, count=1, flags=re.M))
    return d


def test_formula_like_text_stays_text(hostile_inputs, tmp_path):
    res = finmodel.run(inputs_dir=hostile_inputs)
    assert res.inputs.phase_labels["alixan"] == PHASE_LABEL
    path, _ = write_report(res, tmp_path / "out" / "report.xlsx", VERSION)
    wb = openpyxl.load_workbook(path)

    dash = [c for c in cells_with(wb, PHASE_LABEL) if c.parent.title == "Dashboard"]
    assert dash, "the phase label is not on the Dashboard"
    expected = {
        PHASE_LABEL: {"Dashboard"},
        **{s: {"Inputs", "Sources"} for s in SOURCES.values()},
        "=MARKERCURVE()": {"Inputs", "Sources"},
        "=MARKERSCEN()": {"Cover", "Inputs"},
        "@MARKERANN()": {"Announcements"},
    }
    for text, sheets in expected.items():
        cells = cells_with(wb, text)
        found = {c.parent.title for c in cells}
        assert sheets <= found, f"{text!r} expected on {sheets}, found on {found}"
        for c in cells:
            assert c.data_type == "s", f"{c.parent.title}!{c.coordinate} = {text!r} is {c.data_type!r}, not text"
            assert c.quotePrefix, f"{c.parent.title}!{c.coordinate}: no quote prefix (editing the cell makes it a formula)"
    # nothing from the inputs became a formula, in openpyxl's view or in the file itself
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert "MARKER" not in str(c.value) and "HYPERLINK" not in str(c.value).upper(), \
                        f"{ws.title}!{c.coordinate} = {c.value}"
    raw = formulas_in_zip(path)
    assert raw, "the workbook has formulas"
    assert not [f for f in raw if "MARKER" in f or "HYPERLINK" in f.upper()]


def test_control_characters_in_text_do_not_crash_the_export(hand_inputs, tmp_path, capsys):
    d = hand_inputs
    plan = (d / "plan.toml").read_text()
    i = plan.index("[inputs.discount_rate]")
    m = re.compile(r'^source = ".*"$', re.M).search(plan, i)
    (d / "plan.toml").write_text(plan[:m.start()] + 'source = "pasted\\u0001 from \\u000b a PDF"' + plan[m.end():])
    res = finmodel.run(inputs_dir=d)
    assert "pasted" in res.inputs.sources["discount_rate"]
    try:
        path, _ = write_report(res, tmp_path / "report.xlsx", VERSION)
    except ReportError as exc:  # refusing with a clear message is fine too
        assert "discount_rate" in str(exc) or "character" in str(exc)
        return
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("pasted")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_text_longer_than_an_excel_cell_is_cut(hand_inputs, tmp_path):
    """Excel holds at most 32,767 characters in a cell; a longer source is cut (openpyxl does it), not refused."""
    d = hand_inputs
    (d / "plan.toml").write_text(set_source((d / "plan.toml").read_text(), "[inputs.discount_rate]", "x" * 40_000))
    path, _ = write_report(finmodel.run(inputs_dir=d), tmp_path / "report.xlsx", VERSION)
    wb = openpyxl.load_workbook(path)
    longest = max(len(c.value) for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert longest <= EXCEL_CELL_LIMIT


# --- reproducible --------------------------------------------------------------------------------

def _later_than(path: Path, seconds: float = 1.1) -> None:
    """Wait until ``seconds`` after ``path`` was written: a timestamp taken from the clock would differ then."""
    time.sleep(max(0.0, path.stat().st_mtime + seconds - time.time()))


def test_same_results_give_the_same_bytes(default_res, default_report, tmp_path):
    a, _ = default_report  # written by write_report(default_res, ...) without SOURCE_DATE_EPOCH
    _later_than(a)
    b, _ = write_report(default_res, tmp_path / "b" / "report.xlsx", VERSION)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        core = z.read("docProps/core.xml").decode()
        stamps = {i.date_time for i in z.infolist()}
    assert len(stamps) == 1, f"zip entries carry several timestamps: {stamps}"
    assert "1980-01-01T00:00:00Z" in core, core


def test_source_date_epoch_is_the_stamp_and_stays_reproducible(default_res, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    a, _ = write_report(default_res, tmp_path / "a.xlsx", VERSION)
    time.sleep(1.1)
    b, _ = write_report(default_res, tmp_path / "b.xlsx", VERSION)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        core = z.read("docProps/core.xml").decode()
    assert "2023-11-14T22:13:20Z" in core, core


def test_same_inputs_from_another_run_give_the_same_bytes(default_report, tmp_path):
    """Two runs of the same inputs (not just the same Results object) give the same file."""
    a, _ = default_report
    b, _ = write_report(finmodel.run(), tmp_path / "b.xlsx", VERSION)
    assert a.read_bytes() == b.read_bytes()


def test_cover_hash_stays_when_nothing_changes(small_res, small_dir):
    h0 = cover_hash(build_workbook(small_res, VERSION)[0])
    assert h0 == small_res.inputs.digest()
    assert cover_hash(build_workbook(finmodel.run(inputs_dir=small_dir), VERSION)[0]) == h0
    same = {"discount_rate": float(small_res.inputs.values["discount_rate"])}
    assert cover_hash(build_workbook(finmodel.run(inputs_dir=small_dir, overrides=same), VERSION)[0]) == h0


@pytest.mark.parametrize("overrides", [{"discount_rate": 0.111}, {"p.gpus": 101}, {"p.full_online": "2025-06"}])
def test_cover_hash_changes_with_an_input(small_res, small_dir, overrides):
    h0 = small_res.inputs.digest()
    res = finmodel.run(inputs_dir=small_dir, overrides=overrides)
    wb, _ = build_workbook(res, VERSION)
    assert cover_hash(wb) == res.inputs.digest() != h0
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["inputs_sha256"] == cover_hash(wb)


def test_cover_hash_changes_with_the_curve(small_res, small_dir, tmp_path):
    inputs = shutil.copytree(small_dir, tmp_path / "inputs")
    csv = inputs / "curves" / "power_price_index.csv"
    lines = csv.read_text().splitlines()
    year, value = lines[1].split(",")  # the first year's index: the one-year plan uses it
    lines[1] = f"{year},{float(value) + 0.01}"
    csv.write_text("\n".join(lines) + "\n")
    res = finmodel.run(inputs_dir=inputs)
    assert cover_hash(build_workbook(res, VERSION)[0]) != small_res.inputs.digest()
def test_inputs_hash_changes_with_every_single_input():
    """The Cover shows Inputs.digest(); each input, nudged alone, changes it (fixed unit conversions excepted)."""
    base = load_inputs()
    h0 = base.digest()
    assert load_inputs().digest() == h0
    fixed = []
    for key, value in base.values.items():
        spec = SPEC_BY_NAME[key.split(".")[-1]]
        v = float(np.asarray(value))
        if spec.kind == "date":
            d = from_serial(v)
            candidates = [f"{d.year + (d.month == 12)}-{d.month % 12 + 1:02d}",
                          f"{d.year - (d.month == 1)}-{(d.month - 2) % 12 + 1:02d}"]
        else:
            candidates = [v * (1 + 1e-6) + 1e-9, v * (1 - 1e-6) - 1e-9, v + 1, v - 1,
                          *(c for c in spec.choices or () if c != v)]
        for new in candidates:
            try:
                changed = load_inputs(overrides={key: new})
                break
            except InputError:
                changed = None
        if changed is None:
            fixed.append(key)
            continue
        assert changed.digest() != h0, f"changing {key} from {v} to {new} leaves the inputs hash unchanged"
    assert all(SPEC_BY_NAME[k.split(".")[-1]].scope == "constant" for k in fixed), f"could not change: {fixed}"


# --- atomic ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good_report(default_report) -> bytes:
    return default_report[0].read_bytes()


@pytest.fixture
def previous(good_report, tmp_path) -> tuple[Path, bytes]:
    """A good report already at the target path."""
    path = tmp_path / "reports" / "report.xlsx"
    path.parent.mkdir()
    path.write_bytes(good_report)
    return path, good_report


def _partial_save(exc):
    def save(self, filename):
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise exc
    return save


def _partial_normalise(exc):
    def normalise(path, *args):
        Path(path).write_bytes(b"PK\x03\x04 half a zip")
        raise exc
    return normalise


FAILURES = {
    "save-crash": ("save", _partial_save(RuntimeError("boom in save")), RuntimeError),
    "save-disk-full": ("save", _partial_save(OSError(errno.ENOSPC, "No space left on device")), ReportError),
    "normalise-crash": ("normalise", _partial_normalise(RuntimeError("boom in normalise")), RuntimeError),
    "normalise-disk-full": ("normalise", _partial_normalise(OSError(errno.ENOSPC, "No space left on device")),
                            ReportError),
    "interrupted": ("normalise", _partial_normalise(KeyboardInterrupt()), KeyboardInterrupt),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_failed_export_keeps_the_previous_report(small_res, previous, monkeypatch, failure):
    path, before = previous
    where, fake, raised = FAILURES[failure]
    if where == "save":
        monkeypatch.setattr(openpyxl.Workbook, "save", fake)
    else:
        monkeypatch.setattr(writer, "_normalise_zip", fake)
    with pytest.raises(raised):
        write_report(small_res, path, VERSION)
    assert path.read_bytes() == before, "the previous report was changed"
    assert folder_listing(path.parent) == [path.name], "temporary files left behind"


@pytest.mark.parametrize("failure", ["save-crash", "normalise-disk-full"])
def test_failed_first_export_leaves_nothing(small_res, tmp_path, monkeypatch, failure):
    where, fake, raised = FAILURES[failure]
    monkeypatch.setattr(*((openpyxl.Workbook, "save") if where == "save" else (writer, "_normalise_zip")), fake)
    folder = tmp_path / "reports"
    with pytest.raises(raised):
        write_report(small_res, folder / "report.xlsx", VERSION)
    assert folder_listing(folder) == []


def test_failed_move_into_place_keeps_the_previous_report(small_res, previous, monkeypatch):
    path, before = previous

    def replace(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(writer.os, "replace", replace)
    with pytest.raises(ReportError, match="cannot write"):
        write_report(small_res, path, VERSION)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert folder_listing(path.parent) == [path.name]


def test_target_that_is_a_folder_gives_report_error(small_res, tmp_path):
    target = tmp_path / "report.xlsx"
    target.mkdir()
    with pytest.raises(ReportError, match="report.xlsx"):
        write_report(small_res, target, VERSION)
    assert folder_listing(tmp_path) == ["report.xlsx"] and target.is_dir()


def test_read_only_folder_gives_report_error_naming_it(small_res, previous, monkeypatch):
    """Simulated: creating the temporary file is refused (works also when the tests run as root)."""
    path, before = previous

    def mkstemp(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writer.tempfile, "mkstemp", mkstemp)
    with pytest.raises(ReportError) as info:
        write_report(small_res, path, VERSION)
    monkeypatch.undo()
    assert str(path.parent) in str(info.value)
    assert "Permission denied" in str(info.value)
    assert path.read_bytes() == before
    assert folder_listing(path.parent) == [path.name]


def test_read_only_folder_for_real(small_res, previous):
    path, before = previous
    folder = path.parent
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)  # 0o555
    try:
        probe = folder / ".probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("this user (root?) can write in a 0o555 folder: see the simulated test above")
        with pytest.raises(ReportError) as info:
            write_report(small_res, path, VERSION)
        assert str(folder) in str(info.value)
        assert path.read_bytes() == before
        assert folder_listing(folder) == [path.name]
    finally:
        folder.chmod(0o755)


def test_parent_that_is_a_file_gives_report_error(small_res, tmp_path):
    (tmp_path / "notafolder").write_text("x")
    with pytest.raises(ReportError, match="notafolder"):
        write_report(small_res, tmp_path / "notafolder" / "report.xlsx", VERSION)


@pytest.mark.parametrize("lock", [".~lock.{}#", "~${}"])
def test_open_report_gives_report_error(small_res, previous, lock):
    path, before = previous
    lock_file = path.parent / lock.format(path.name)
    lock_file.write_text("someone,host,01.01.2026 10:00,file:///home/someone/.config/libreoffice/4;")
    with pytest.raises(ReportError, match="open") as info:
        write_report(small_res, path, VERSION)
    assert path.name in str(info.value)
    assert path.read_bytes() == before
    assert lock_file.exists(), "the spreadsheet's lock file was touched"
    assert folder_listing(path.parent) == sorted([path.name, lock_file.name])


def test_save_atomic_refuses_an_open_report_before_writing(default_res, tmp_path, monkeypatch):
    """The lock check comes first: nothing is written at all."""
    target = tmp_path / "report.xlsx"
    (tmp_path / f".~lock.{target.name}#").write_text("")
    called = []
    monkeypatch.setattr(openpyxl.Workbook, "save", lambda self, f: called.append(f))
    with pytest.raises(ReportError):
        save_atomic(openpyxl.Workbook(), target)
    assert not called and not target.exists()



KILLED_SAVE = """
import os, signal, sys
import openpyxl
import finmodel.excel.writer as writer

def save_then_die(self, filename):
    with open(filename, "wb") as f:
        f.write(b"PK\\x03\\x04 half a zip")
    os.kill(os.getpid(), signal.SIGKILL)

openpyxl.Workbook.save = save_then_die
writer.save_atomic(openpyxl.Workbook(), sys.argv[1])
"""


@pytest.mark.skipif(writer.fcntl is None, reason="POSIX: SIGKILL and file locks")
def test_a_save_killed_outright_leaves_a_temp_file_the_next_save_removes(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "report.xlsx"
    killed = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(target)], capture_output=True)
    assert killed.returncode == -9
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".report.") and left[0].endswith(".xlsx.tmp"), left
    time.sleep(0.05)  # the next save starts after it was last written
    save_atomic(openpyxl.Workbook(), target)
    assert folder_listing(tmp_path) == ["report.xlsx"]


@pytest.mark.skipif(writer.fcntl is None, reason="POSIX file locks")
def test_only_stale_temp_files_of_the_same_report_are_removed(tmp_path):
    """Kept: other names (another report's, a near miss, a user's copy), a folder, a file that is not a zip,
    one written after the save started, one a running save holds locked. Removed: the stale one."""
    import fcntl
    import os

    zip_bytes = b"PK\x03\x04 half a zip"
    old = time.time() - 3600
    stale = tmp_path / ".report.ab_cd123.xlsx.tmp"
    kept = {name: zip_bytes for name in (".other.ab_cd123.xlsx.tmp", ".report.abcd123.xlsx.tmp",
                                         ".report.ab_cd123.xlsx.tmp.bak", "report.ab_cd123.xlsx.tmp",
                                         ".report.ABCD1234.xlsx.tmp")}
    kept[".report.notazip1.xlsx.tmp"] = b"my notes"
    for name, data in {stale.name: zip_bytes, **kept}.items():
        (tmp_path / name).write_bytes(data)
        os.utime(tmp_path / name, (old, old))
    (tmp_path / ".report.folder12.xlsx.tmp").mkdir()
    locked = tmp_path / ".report.running.xlsx.tmp"
    locked.write_bytes(zip_bytes)
    os.utime(locked, (old, old))
    fresh = tmp_path / ".report.fresh123.xlsx.tmp"
    fresh.write_bytes(zip_bytes)
    with open(locked, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        removed = writer._remove_stale_temps(tmp_path / "report.xlsx", time.time() - 60)
    assert removed == [stale] and not stale.exists()
    assert all((tmp_path / name).read_bytes() == data for name, data in kept.items())
    assert (tmp_path / ".report.folder12.xlsx.tmp").is_dir() and locked.exists() and fresh.exists()

# --- CLI ------------------------------------------------------------------------------------------

def test_cli_report_writes_the_file(tmp_path, capsys):
    out = tmp_path / "sub" / "report.xlsx"
    assert main(["report", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert out.is_file()
    assert str(out) in captured.out
    assert "Traceback" not in captured.err
    assert "Inputs" in openpyxl.load_workbook(out).sheetnames


def _error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.startswith("error:"), captured.err
    return captured.err


def test_cli_unknown_input_name(capsys):
    assert main(["summary", "--set", "nonexistent_input=3"]) == EXIT_INPUT
    assert "nonexistent_input" in _error(capsys)


@pytest.mark.parametrize("item", ["discount_rate=abc", "discount_rate", "=3"])
def test_cli_bad_set_value(capsys, item):
    assert main(["summary", "--set", item]) == EXIT_INPUT
    err = _error(capsys)
    assert item.split("=")[0] in err or "NAME=VALUE" in err


def test_cli_unknown_scenario(capsys):
    assert main(["summary", "--scenario", "nope"]) == EXIT_INPUT
    err = _error(capsys)
    assert "nope" in err
    assert "nov_2025" in err, "the message lists the scenarios allowed"


@pytest.fixture(params=["text.xlsx", "table.csv", "missing.xlsx", "no_inputs_sheet.xlsx", "folder.xlsx"])
def not_a_workbook(request, tmp_path) -> Path:
    path = tmp_path / request.param
    if request.param == "no_inputs_sheet.xlsx":
        openpyxl.Workbook().save(path)
    elif request.param == "folder.xlsx":
        path.mkdir()
    elif request.param != "missing.xlsx":
        path.write_text("name,value\ndiscount_rate,0.1\n")
    return path


def test_cli_inputs_from_not_a_workbook(not_a_workbook, tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    assert main(["report", "--inputs-from", str(not_a_workbook), "--out", str(out)]) == EXIT_INPUT
    err = _error(capsys)
    assert not_a_workbook.name in err
    assert not out.exists()


def test_cli_open_report(previous, capsys):
    path, before = previous
    (path.parent / f"~${path.name}").write_text("")
    assert main(["report", "--out", str(path)]) == EXIT_REPORT
    assert "open" in _error(capsys)
    assert path.read_bytes() == before


def test_report_without_announcements(hand_inputs, tmp_path, capsys):
    out = tmp_path / "hand.xlsx"
    assert main(["report", "--inputs-dir", str(hand_inputs), "--out", str(out)]) == 0
    assert out.is_file()


def test_report_of_the_hand_case_with_an_announcement(tmp_path):
    """The same small plan exports once it has one announcement (isolates the bug above)."""
    inputs = write_inputs(tmp_path / "inputs", HAND_PLAN, {"p": HAND_PHASE}, announcements=(
        '[[announcement]]\nid = "a"\ndate = "2025-01-01"\nsource = "test"\nwhat = "test"\nscope = ["p"]\ngpus = 100\n'))
    path, _ = write_report(finmodel.run(inputs_dir=inputs), tmp_path / "hand.xlsx", VERSION)
    assert "Calc p" in openpyxl.load_workbook(path).sheetnames


def _cover_generated(path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)  # read_only: only the Cover sheet is parsed
    try:
        return next(row[1] for row in wb["Cover"].iter_rows(max_row=20, max_col=2, values_only=True)
                    if row[0] == "Generated")
    finally:
        wb.close()


def test_cover_date_is_the_epoch_or_the_inputs_date_never_1980(default_res, default_report, tmp_path, monkeypatch):
    latest = max(str(d) for d in default_res.announcements["date"])
    text = _cover_generated(default_report[0])  # written without SOURCE_DATE_EPOCH
    assert latest in text and "1980" not in text, text
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    assert _cover_generated(write_report(default_res, tmp_path / "b.xlsx", VERSION)[0]).startswith("2023-11-14")
