"""Machine-readable command output: ``--format csv`` and ``--format json``.

Numbers are written raw, at full precision (EUR, not EUR bn; 0.08, not
8 %; empty in CSV and null in JSON where there is none). Units go in the
CSV header (``npv_eur [EUR]``) and in a JSON ``units`` field beside the
rows, so a script reads the same figures as ``finmodel.run().summary``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

FORMATS = ("table", "csv", "json")
#: the unit of a column whose rows name their own unit in a 'unit' column
SEE_UNIT_COLUMN = "see column unit"


def plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars and arrays as Python ones, NaN and infinities as None."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``df`` (its index as leading columns) as JSON-ready dicts."""
    flat = df.reset_index() if _has_index(df) else df
    return [{str(k): plain(v) for k, v in row.items()} for row in flat.to_dict(orient="records")]


def csv_text(df: pd.DataFrame, units: Mapping[str, str] | None = None) -> str:
    """``df`` as CSV (index as leading columns), each column with a unit headed ``name [unit]``.

    Columns whose unit is :data:`SEE_UNIT_COLUMN` keep their bare name: each
    row's unit is in its ``unit`` column.
    """
    flat = df.reset_index() if _has_index(df) else df.copy()
    units = units or {}
    flat.columns = [f"{c} [{units[c]}]" if units.get(c) and units[c] != SEE_UNIT_COLUMN else str(c) for c in flat.columns]
    for c in flat.columns:
        if flat[c].dtype == object:
            flat[c] = flat[c].map(lambda v: json.dumps(plain(v)) if isinstance(v, (np.ndarray, list)) else v)
    return flat.to_csv(index=False, lineterminator="\n")


def json_text(payload: Mapping[str, Any]) -> str:
    """``payload`` as indented JSON; DataFrames in it become lists of rows."""
    def convert(x):
        if isinstance(x, pd.DataFrame):
            return records(x)
        if isinstance(x, pd.Series):
            return {str(k): plain(v) for k, v in x.items()}
        if isinstance(x, Mapping):
            return {str(k): convert(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [convert(v) for v in x]
        return plain(x)

    return json.dumps(convert(payload), indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def _has_index(df: pd.DataFrame) -> bool:
    return not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
