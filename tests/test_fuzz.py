"""Fuzzing the inputs folder: whatever the text, `finmodel.run` succeeds or raises InputError.

Each example copies the shipped inputs to a fresh folder and breaks one file:
truncated at a random byte, overwritten or spliced with random bytes, a
number turned into a string / a negative / a list..., or one value of the
parsed TOML replaced by a value of another type. No other exception (a
KeyError, TypeError, OverflowError... from deep inside) may escape.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.inputs import DEFAULT_INPUTS_DIR

FILES = ("plan.toml", "phases.toml", "scenarios.toml", "announcements.toml", "curves/power_price_index.csv")
TOML_FILES = FILES[:4]
ORIGINAL = {name: (DEFAULT_INPUTS_DIR / name).read_bytes() for name in FILES}

# the number of examples: the hypothesis profile in conftest.py
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])


def run_on(texts: dict[str, bytes], **kw) -> None:
    """Write the folder (shipped files, some replaced) and run: success or InputError only."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inputs"
        shutil.copytree(DEFAULT_INPUTS_DIR, folder)
        for name, data in texts.items():
            (folder / name).write_bytes(data)
        try:
            res = finmodel.run(inputs_dir=folder, **kw)
        except finmodel.InputError as exc:
            assert exc.problems, "an InputError must list at least one problem"
            for p in exc.problems:
                assert p.file and p.field and p.message, p
            return
        res.summary  # building the results must not fail either
        res.cashflows


# --- raw text ------------------------------------------------------------------

@SETTINGS
@given(name=st.sampled_from(FILES), cut=st.floats(0, 1))
def test_truncated_file(name, cut):
    data = ORIGINAL[name]
    run_on({name: data[: int(len(data) * cut)]})


@SETTINGS
@given(name=st.sampled_from(FILES), garbage=st.binary(max_size=300))
def test_file_replaced_by_random_bytes(name, garbage):
    run_on({name: garbage})


@SETTINGS
@given(name=st.sampled_from(FILES), where=st.floats(0, 1), garbage=st.binary(min_size=1, max_size=20),
       drop=st.integers(0, 20))
def test_random_bytes_spliced_in(name, where, garbage, drop):
    data = ORIGINAL[name]
    at = int(len(data) * where)
    run_on({name: data[:at] + garbage + data[at + drop:]})


@SETTINGS
@given(name=st.sampled_from(FILES), text=st.text(max_size=200))
def test_file_replaced_by_random_text(name, text):
    run_on({name: text.encode("utf-8", "surrogatepass")})


# --- number mutations in the text --------------------------------------------

NUMBER = re.compile(rb"(?<![\w.\-\"])-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w\-\"])")
REPLACEMENTS = (b'"abc"', b'"12"', b"-1", b"-0.5", b"0", b"1e300", b"-1e300", b"nan", b"inf", b"-inf",
                b"[]", b"[1, 2]", b"[[1], [2, 3]]", b"{}", b"{ a = 1 }", b"true", b"2025-01-01",
                b"1979-05-27T07:32:00Z", b"99999999999", b"1.5", b"2", b"0.999999")


@SETTINGS
@given(name=st.sampled_from(FILES), data=st.data())
def test_number_mutated(name, data):
    text = ORIGINAL[name]
    matches = list(NUMBER.finditer(text))
    k = data.draw(st.integers(0, len(matches) - 1), label="which number")
    new = data.draw(st.sampled_from(REPLACEMENTS + (b"abc", b"", b"-", b"1,2")), label="replacement")
    m = matches[k]
    run_on({name: text[: m.start()] + new + text[m.end():]})


@SETTINGS
@given(name=st.sampled_from(FILES), data=st.data())
def test_several_numbers_negated(name, data):
    text = ORIGINAL[name]
    matches = list(NUMBER.finditer(text))
    chosen = data.draw(st.sets(st.integers(0, len(matches) - 1), min_size=1, max_size=8), label="numbers")
    for k in sorted(chosen, reverse=True):
        m = matches[k]
        text = text[: m.start()] + b"-" + m.group().lstrip(b"-") + text[m.end():]
    run_on({name: text})


# --- structural mutations of the parsed TOML ---------------------------------

def _key(k: str) -> str:
    return json.dumps(k)


def to_toml(value) -> str:
    """Inline TOML for any value (tables as inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(to_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {to_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def document(doc: dict) -> str:
    return "\n".join(f"{_key(k)} = {to_toml(v)}" for k, v in doc.items()) + "\n"


scalars = st.one_of(
    st.integers(-10**6, 10**12), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(alphabet="abcdefgh_-.0123456789 ", max_size=8), st.sampled_from(["2025-01", "2026-12", "total", "alixan"]),
    st.dates(), st.datetimes(),
)
any_value = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["value", "unit", "source", "file", "x"]), inner, max_size=3)),
    max_leaves=6)


def paths(doc, prefix=()):
    """Every path to a value in a parsed TOML document."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        yield prefix + (k,)
        yield from paths(v, prefix + (k,))


@SETTINGS
@given(name=st.sampled_from(TOML_FILES), data=st.data())
def test_value_of_another_type(name, data):
    doc = tomllib.loads(ORIGINAL[name].decode())
    all_paths = list(paths(doc))
    path = data.draw(st.sampled_from(all_paths), label="path")
    action = data.draw(st.sampled_from(["replace", "replace", "delete", "add"]), label="action")
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if action == "replace":
        parent[path[-1]] = data.draw(any_value, label="new value")
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=12), label="key")] = \
            data.draw(any_value, label="new value")
    else:
        parent.append(data.draw(any_value, label="new value"))
    run_on({name: document(doc).encode()})


# --- overrides and scenario names from the API -------------------------------

override_names = st.one_of(st.sampled_from(["discount_rate", "pue", "alixan.gpus", "alixan_it_mw", "south.pue",
                                            "alixan.construction_start", "months_per_year", "gpu_life_years",
                                            "staff_share_research", "alixan.label", "nonexistent", ""]),
                           st.text(max_size=10))
override_values = st.one_of(any_value, st.lists(st.floats(0, 2), max_size=4).map(np.array),
                            st.lists(st.lists(st.floats(0, 1), min_size=1, max_size=1), max_size=3).map(np.array))


@SETTINGS
@given(overrides=st.dictionaries(override_names, override_values, max_size=3),
       scenario=st.one_of(st.none(), st.sampled_from(["nov_2025", "feb_2025", "nope", ""]), st.text(max_size=5)))
def test_random_overrides(overrides, scenario):
    run_on({}, scenario=scenario, overrides=overrides)


def _set(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


@pytest.mark.parametrize("name, path, value", [
    ("plan.toml", ("model",), 3),
    ("plan.toml", ("model", "phases"), "alixan"),
    ("plan.toml", ("model", "phases"), [1, 2]),
    ("plan.toml", ("model", "phases"), [{"a": 1}]),
    ("plan.toml", ("model", "phases"), ["alixan", "alixan", "grand_est_a", "grand_est_b", "south"]),
    ("plan.toml", ("model", "phases"), ["total", "alixan", "grand_est_a", "grand_est_b", "south"]),
    ("plan.toml", ("model", "start"), 10**12),
    ("plan.toml", ("model", "start"), "9999-01"),
    ("plan.toml", ("model", "start"), "0001-01"),
    ("plan.toml", ("model", "default_scenario"), ["nov_2025"]),
    ("plan.toml", ("inputs",), []),
    ("plan.toml", ("inputs", "discount_rate"), [1]),
    ("plan.toml", ("inputs", "discount_rate", "value"), []),
    ("plan.toml", ("inputs", "discount_rate", "value"), [0.1, 0.2]),
    ("plan.toml", ("inputs", "discount_rate", "unit"), ["1/yr"]),
    ("plan.toml", ("curves",), "x"),
    ("plan.toml", ("curves", "power_price_index"), 3),
    ("plan.toml", ("curves", "power_price_index", "file"), ["a"]),
    ("plan.toml", ("curves", "power_price_index", "file"), "curves/\u0000.csv"),
    ("plan.toml", ("curves", "discount_rate"), {"file": "curves/power_price_index.csv", "unit": "-", "source": "x"}),
    ("phases.toml", ("alixan",), 3),
    ("phases.toml", ("alixan", "gpus"), [1, 2]),
    ("phases.toml", ("alixan", "construction_start", "value"), 10**15),
    ("phases.toml", ("alixan", "construction_start", "value"), -5),
    ("scenarios.toml", ("feb_2025", "base"), ["nov_2025"]),
    ("scenarios.toml", ("feb_2025", "overrides"), [1]),
    ("scenarios.toml", ("feb_2025", "overrides"), "x"),
    ("scenarios.toml", ("nov_2025",), []),
    ("announcements.toml", ("announcement",), 3),
    ("announcements.toml", ("announcement",), {"id": 1}),
    ("announcements.toml", ("announcement", 0, "scope"), [{"a": 1}]),
    ("announcements.toml", ("announcement", 0, "gpus"), float("nan")),
])
def test_known_bad_shapes(name, path, value):
    doc = tomllib.loads(ORIGINAL[name].decode())
    _set(doc, path, value)
    run_on({name: document(doc).encode()})
