"""docs/model.md is what `python -m finmodel.docs` generates now, and it documents every line item and input."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from finmodel.cli import main
from finmodel.docs import model_book
from finmodel.registry import PHASE_ITEMS, TIME_ITEMS
from finmodel.spec import SPECS

BOOK = Path(__file__).resolve().parents[1] / "docs" / "model.md"


@pytest.fixture(scope="module")
def book() -> str:
    return model_book()


def test_model_book_is_current(book):
    if not BOOK.exists():
        pytest.fail("docs/model.md is missing: run `python -m finmodel.docs`")
    committed = BOOK.read_text(encoding="utf-8")
    if committed != book:
        diff = "".join(list(difflib.unified_diff(committed.splitlines(True), book.splitlines(True),
                                                 "docs/model.md", "generated", n=0))[:40])
        pytest.fail("docs/model.md is stale: run `python -m finmodel.docs` and commit it\n" + diff)


def test_model_book_documents_every_line_item_and_input(book):
    rows = {line.split("|")[1].strip() for line in book.splitlines() if line.startswith("| `")}
    for it in [*TIME_ITEMS, *PHASE_ITEMS]:
        assert f"`{it.name}`" in rows, it.name
    for spec in SPECS:
        assert f"`{spec.name}`" in rows, spec.name
    for heading in ("## Conventions", "**Timing.**", "**Discounting.**", "**Signs.**"):
        assert heading in book


def test_cli_docs_writes_the_same_book(tmp_path, book):
    out = tmp_path / "model.md"
    assert main(["docs", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == book
