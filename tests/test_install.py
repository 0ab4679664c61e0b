"""finmodel installs anywhere: the sdist and the wheel, built from this source tree, run from an empty folder.

The wheel goes into a fresh virtual environment without pip's network: its
dependencies (numpy, pandas, ...) are the ones this environment already has,
seen through a ``.pth`` line (not processed as a site dir, so this
environment's editable finmodel stays out of sight).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import finmodel
from finmodel.cli import main
from finmodel.errors import EXIT_REPORT
from finmodel.inputs import DEFAULT_INPUTS_DIR

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                              ".hypothesis", "reports")


def _build(kind: str, source: Path, out: Path) -> Path:
    """PEP 517 build in a subprocess (setuptools' backend, no isolation, no network)."""
    code = f"import sys; from setuptools import build_meta as b; print(b.build_{kind}(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.split()[-1]


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    """(python, finmodel script, sdist names): the wheel built from the sdist, installed in a new venv."""
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("needs the source tree")
    base = tmp_path_factory.mktemp("install")
    tree = shutil.copytree(ROOT, base / "src", ignore=SKIP)
    dist = base / "dist"
    dist.mkdir()
    sdist = _build("sdist", tree, dist)
    with tarfile.open(sdist) as tf:
        names = [n.split("/", 1)[1] for n in tf.getnames() if "/" in n]
        tf.extractall(base / "unpacked", filter="data")
    wheel = _build("wheel", base / "unpacked" / sdist.name.removesuffix(".tar.gz"), dist)  # the wheel from the sdist
    env = base / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           "--quiet", "--disable-pip-version-check", str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, env / "bin" / "finmodel", names, wheel


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_sdist_carries_the_tests_license_and_inputs(fresh_env):
    names = set(fresh_env[2])
    for need in ("tests/conftest.py", "tests/test_install.py", "LICENSE", "scripts/setup.sh", "finmodel/py.typed", "docs/model.md",
                 "finmodel/data/inputs/plan.toml", "finmodel/data/inputs/curves/power_price_index.csv",
                 "finmodel/data/reference/benchmarks.csv"):
        assert need in names


def test_wheel_carries_the_data_and_no_numpy_financial_at_runtime(fresh_env):
    with zipfile.ZipFile(fresh_env[3]) as zf:
        names = set(zf.namelist())
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    shipped = {f"finmodel/data/inputs/{p.relative_to(DEFAULT_INPUTS_DIR).as_posix()}"
               for p in DEFAULT_INPUTS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert shipped and shipped <= names
    assert "finmodel/data/reference/benchmarks.csv" in names and "finmodel/py.typed" in names
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    assert any("numpy-financial" in r and "extra ==" in r for r in requires)
    assert not any("numpy-financial" in r and "extra ==" not in r for r in requires)
    assert f"Version: {finmodel.__version__}" in meta and "License-Expression: MIT" in meta


def test_installed_wheel_runs_from_an_empty_folder(fresh_env, tmp_path):
    python, script, _, _ = fresh_env
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run([script, "summary"], cwd=empty, env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "scenario: nov_2025" in done.stdout
    code = ("import finmodel; r = finmodel.run(); print(finmodel.__file__); "
            "print(repr(float(r.summary.loc['total', 'npv_eur'])))")
    done = subprocess.run([python, "-c", code], cwd=empty, env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    where, npv = done.stdout.split()
    assert Path(where).is_relative_to(python.parent.parent)  # the installed copy, not this source tree
    assert float(npv) == finmodel.run().summary.loc["total", "npv_eur"]
    assert list(empty.iterdir()) == []  # nothing written where it ran
    done = subprocess.run([script, "init", "mine"], cwd=empty, env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (empty / "mine" / "plan.toml").read_bytes() == (DEFAULT_INPUTS_DIR / "plan.toml").read_bytes()


def test_init_copies_the_inputs_for_editing_and_never_overwrites(tmp_path, capsys):
    folder = tmp_path / "my_inputs"
    assert main(["init", str(folder)]) == 0
    copied = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(DEFAULT_INPUTS_DIR) for p in DEFAULT_INPUTS_DIR.rglob("*")
                            if p.is_file() and "__pycache__" not in p.parts)
    plan = folder / "plan.toml"
    text = plan.read_text()
    head, sep, tail = text.partition("[inputs.discount_rate]\nvalue = ")
    assert sep, "plan.toml layout changed"
    old, rest = tail.split("\n", 1)
    plan.write_text(f"{head}{sep}{float(old) + 0.02}\n{rest}")
    edited = finmodel.run(inputs_dir=folder).summary
    expected = finmodel.run(overrides={"discount_rate": float(old) + 0.02}).summary
    assert edited.loc["total", "npv_eur"] == expected.loc["total", "npv_eur"]
    assert edited.loc["total", "npv_eur"] != finmodel.run().summary.loc["total", "npv_eur"]
    capsys.readouterr()
    assert main(["init", str(folder)]) == EXIT_REPORT  # not empty: refused, the edit stays
    assert "not empty" in capsys.readouterr().err
    assert plan.read_text() != text
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0
