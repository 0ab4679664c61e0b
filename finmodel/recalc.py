"""Recalculate .xlsx workbooks in headless LibreOffice Calc, or in Gnumeric (a second, independent engine).

openpyxl writes formulas but stores no cached values, so any reader of the
file (pandas, ``openpyxl.load_workbook(data_only=True)``) sees formula cells as
empty. To check the numbers a workbook computes, we let LibreOffice open it,
recalculate every formula and save a copy that carries the values.

LibreOffice only recalculates on load when its profile says so: otherwise it
silently keeps whatever cached values the file holds. Each call therefore uses
a throwaway profile folder whose ``registrymodifications.xcu`` sets
``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 ("always recalculate"); a fresh
profile per call also lets several calls run at the same time.

The converted copies are for reading values only: never ship them (LibreOffice
drops features such as freeze panes).

Gnumeric's ``ssconvert --recalc`` recalculates one workbook per call (about
6-10 s for the default report); it needs no profile.

:func:`export_pdf` prints a workbook to PDF through LibreOffice (print areas,
fit-to-width, print titles, headers and footers as the workbook sets them).
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import subprocess
import re
import tempfile
import zipfile
from collections.abc import Collection, Sequence
from contextlib import contextmanager
from pathlib import Path

import openpyxl

_SOFFICE_FALLBACK = Path("/usr/lib/libreoffice/program/soffice")

_RECALC_ALWAYS_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class RecalcError(RuntimeError):
    """LibreOffice or Gnumeric could not recalculate a workbook."""


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable, or None if not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return str(_SOFFICE_FALLBACK) if _SOFFICE_FALLBACK.is_file() else None


def _copy_paths(paths: Sequence[Path | str], outdir: Path | str) -> tuple[list[Path], Path, list[Path]]:
    """Resolved inputs, output folder and the copies' paths (same file names, ``.xlsx``).

    Raises:
        ValueError: ``outdir`` is an input's folder, or two inputs share a name.
    """
    inputs = [Path(p).resolve() for p in paths]
    out = Path(outdir).resolve()
    if any(p.parent == out for p in inputs):
        raise ValueError(f"outdir {out} must differ from the folder of the inputs")
    outputs = [out / f"{p.stem}.xlsx" for p in inputs]
    if len(set(outputs)) != len(outputs):
        raise ValueError(f"input workbooks must have distinct names: {inputs}")
    return inputs, out, outputs


def recalculate(
    paths: Sequence[Path | str], outdir: Path | str, timeout: float = 300
) -> list[Path]:
    """Recalculate workbooks and save copies with cached values into ``outdir``.

    All workbooks are converted in one LibreOffice call (start-up costs about
    1 s per call). Each copy keeps its file name, so inputs must have distinct
    names and ``outdir`` must not be the folder of any input.

    Args:
        paths: .xlsx workbooks to recalculate.
        outdir: folder for the recalculated copies (created if missing).
        timeout: limit for the whole LibreOffice call [s].

    Returns:
        Paths of the recalculated copies, in the order of ``paths``.

    Raises:
        RecalcError: LibreOffice is missing, failed, timed out or did not
            write one of the copies.
        ValueError: ``outdir`` is an input's folder, or two inputs share a name.
    """
    inputs, out, outputs = _copy_paths(paths, outdir)
    if not inputs:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise RecalcError("LibreOffice (soffice) not found on PATH")

    out.mkdir(parents=True, exist_ok=True)
    for o in outputs:  # soffice exits 0 on failure: only a new file proves success
        o.unlink(missing_ok=True)

    with _profile() as profile:
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, inputs),
        ]
        stdout, stderr, code = _run(command, timeout, inputs)

    for source, copy in zip(inputs, outputs):
        if not copy.is_file():
            raise RecalcError(
                f"LibreOffice did not recalculate {source} (no {copy}); "
                f"exit code {code}\n"
                f"stdout: {stdout.strip()}\nstderr: {stderr.strip()}"
            )
    return outputs


@contextmanager
def _profile():
    """A throwaway LibreOffice profile that recalculates on load; yields its file URI."""
    with tempfile.TemporaryDirectory(prefix="finmodel-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS_XCU, encoding="utf-8")
        yield Path(profile).as_uri()


def export_pdf(path: Path | str, pdf: Path | str, sheets: Collection[str] | None = None, timeout: float = 600) -> Path:
    """Print the workbook ``path`` to ``pdf`` with LibreOffice; only ``sheets`` if given (the others are hidden
    in a temporary copy). The PDF is moved into place only when complete.

    Raises:
        RecalcError: LibreOffice is missing, failed or timed out.
    """
    soffice = find_soffice()
    if soffice is None:
        raise RecalcError("LibreOffice (soffice) not found on PATH: it prints the PDF")
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="finmodel-pdf-") as tmp:
        src = Path(tmp) / f"{pdf.stem}.xlsx"
        if sheets is None:
            shutil.copyfile(path, src)
        else:
            _show_only(Path(path), src, set(sheets))
        outdir = Path(tmp) / "out"
        with _profile() as profile:
            stdout, stderr, code = _run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                                         "--convert-to", "pdf", "--outdir", str(outdir), str(src)], timeout, path)
        made = outdir / f"{pdf.stem}.pdf"
        if not made.is_file():
            raise RecalcError(f"LibreOffice did not print {path} to PDF; exit code {code}\n"
                              f"stdout: {stdout.strip()}\nstderr: {stderr.strip()}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), str(pdf.with_name(f".{pdf.name}.tmp")))
        os.replace(pdf.with_name(f".{pdf.name}.tmp"), pdf)
    return pdf


def pdf_pages(pdf: Path | str) -> int:
    """Pages of a PDF that LibreOffice wrote (page objects are plain text there)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(pdf).read_bytes()))


def _show_only(src: Path, dst: Path, sheets: set[str]) -> None:
    """A copy of the workbook ``src`` with every sheet not in ``sheets`` hidden and without its print area
    (LibreOffice prints a hidden sheet that has one)."""
    def only(xml: bytes) -> bytes:
        names = [html.unescape(n.decode("utf-8")) for n in re.findall(rb'<sheet [^>]*?name="([^"]*)"', xml)]
        hidden = {k for k, name in enumerate(names) if name not in sheets}
        tags = iter(range(len(names)))

        def state(m):
            tag = re.sub(rb'\sstate="[a-zA-Z]*"', b"", m.group(0))
            return tag.replace(b"<sheet ", b'<sheet state="hidden" ', 1) if next(tags) in hidden else tag

        xml = re.sub(rb"<sheet [^>]*>", state, xml)
        return re.sub(rb'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)"[^>]*>[^<]*</definedName>',
                      lambda m: b"" if int(m.group(1)) in hidden else m.group(0), xml)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, only(data) if info.filename == "xl/workbook.xml" else data)


def _run(command: list[str], timeout: float, inputs) -> tuple[str, str, int]:
    """Run an engine; (stdout, stderr, exit code). On timeout kill its whole process group
    (soffice execs oosplash, which starts soffice.bin) so that nothing is left behind."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RecalcError(f"{Path(command[0]).name} timed out after {timeout} s on {inputs}") from None
    return stdout, stderr, proc.returncode


def find_ssconvert() -> str | None:
    """Return the path of Gnumeric's ssconvert, or None if not installed."""
    return shutil.which("ssconvert")


def recalculate_gnumeric(paths: Sequence[Path | str], outdir: Path | str, timeout: float = 300) -> list[Path]:
    """Recalculate workbooks in Gnumeric (``ssconvert --recalc``) and save copies with values into ``outdir``.

    Same contract as :func:`recalculate`: copies keep their file names, ``outdir``
    differs from the inputs' folders; ``timeout`` [s] applies to each workbook.
    """
    inputs, out, outputs = _copy_paths(paths, outdir)
    ssconvert = find_ssconvert()
    if ssconvert is None and inputs:
        raise RecalcError("Gnumeric (ssconvert) not found on PATH")
    out.mkdir(parents=True, exist_ok=True)
    for source, copy in zip(inputs, outputs):
        copy.unlink(missing_ok=True)
        stdout, stderr, code = _run([ssconvert, "--recalc", str(source), str(copy)], timeout, source)
        if code != 0 or not copy.is_file():
            raise RecalcError(f"Gnumeric did not recalculate {source} (no {copy}); exit code {code}\n"
                              f"stdout: {stdout.strip()}\nstderr: {stderr.strip()[-2000:]}")
    return outputs


def read_values(path: Path | str) -> openpyxl.Workbook:
    """Load a recalculated workbook with cell values instead of formulas."""
    return openpyxl.load_workbook(path, data_only=True)
