"""The input listing: every input with its unit, allowed range, value and source."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from finmodel.inputs import load_inputs
from finmodel.spec import SPEC_BY_NAME
from finmodel.timeline import from_serial


def excel_name(key: str) -> str:
    """Workbook defined name of an input: 'alixan.gpus' -> 'alixan_gpus'."""
    return key.replace(".", "_")


def display_value(spec, value) -> object:
    """A value as a person reads it: dates as 'YYYY-MM', numbers as they are."""
    if spec.kind == "date":
        return from_serial(float(value)).strftime("%Y-%m")
    arr = np.asarray(value)
    return float(arr) if arr.ndim == 0 else arr


def list_inputs(scenario: str | None = None, *, inputs_dir: Path | str | None = None) -> pd.DataFrame:
    """Every input of a scenario: name, workbook name, scope, unit, allowed range, value, source, description."""
    inputs = load_inputs(scenario, inputs_dir=inputs_dir)
    rows = []
    for key, value in inputs.values.items():
        spec = SPEC_BY_NAME[key.split(".")[-1]]
        rows.append(dict(
            name=key, excel_name=excel_name(key), scope=spec.scope, unit=spec.unit, allowed=spec.allowed(),
            value=display_value(spec, value), source=inputs.sources[key], description=spec.description,
        ))
    return pd.DataFrame(rows)
