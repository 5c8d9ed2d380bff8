"""Rules that read category columns as their contract ``pl.Enum`` (``sheet(..., enums=...)``,
issue 18 round 8) give what they give on text: read or validated data holds the Enum, data
made by hand (``CaseData`` without ``validate``) holds text, values outside the vocabulary
included."""

from __future__ import annotations

import polars as pl
import pytest

from casekit._frames import sheet
from casekit.data import CaseData, category_enum

KIND = category_enum("contact_kind")


def _contacts(kind: pl.Series) -> CaseData:
    return CaseData({"contacts": pl.DataFrame({"case_id": ["A"] * kind.len(), "kind": kind})})


def test_enums_keeps_only_the_contracts_own_enum() -> None:
    """The contract's Enum is given as it is; text, another Enum (values outside the
    vocabulary possible) and a scanned sheet are text, as without ``enums``."""
    own = pl.Series(["phone_call", None], dtype=KIND)
    foreign = pl.Series(["phone_call", "Llamada"], dtype=pl.Enum(["Llamada", "phone_call"]))
    text = pl.Series(["phone_call", "Llamada"])
    cases = {
        "own": (_contacts(own), KIND),
        "foreign": (_contacts(foreign), pl.String()),
        "text": (_contacts(text), pl.String()),
        "scanned": (CaseData({"contacts": _contacts(own)["contacts"].lazy()}), pl.String()),
        "absent": (CaseData({"contacts": pl.DataFrame({"case_id": ["A"]})}), pl.String()),
    }
    for name, (data, dtype) in cases.items():
        got = sheet(data, "contacts", ["case_id", "kind"], enums=["kind"]).collect()
        assert got.schema["kind"] == dtype, name
        plain = sheet(data, "contacts", ["case_id", "kind"]).collect()
        assert got["kind"].cast(pl.String).to_list() == plain["kind"].to_list(), name


def test_comparisons_give_the_same_on_the_enum_and_on_text() -> None:
    """``==``, ``!=``, ``is_in`` (with texts outside the vocabulary) and ``is_null``: what the
    rules may use on a column they take as its Enum."""
    values = ["phone_call", "home_visit", None, "appointment"]
    tests = {
        "eq": pl.col("kind") == "home_visit",
        "eq outside": pl.col("kind") == "Llamada",
        "ne": pl.col("kind") != "home_visit",
        "is_in": pl.col("kind").is_in(["home_visit", "Llamada", "appointment"]),
        "is_in none": pl.col("kind").is_in([]),
        "is_null": pl.col("kind").is_null(),
    }
    enum = sheet(_contacts(pl.Series(values, dtype=KIND)), "contacts", ["kind"], enums=["kind"])
    text = sheet(_contacts(pl.Series(values)), "contacts", ["kind"], enums=["kind"])
    for name, test in tests.items():
        assert enum.select(test).collect().equals(text.select(test).collect()), name


def test_enums_must_name_category_columns_asked_for() -> None:
    data = _contacts(pl.Series(["phone_call"]))
    for wrong in (["case_id"], ["status"], ["_row"], ["nope"]):
        with pytest.raises(ValueError, match="not category columns"):
            sheet(data, "contacts", ["case_id", "kind", "_row"], enums=wrong)
