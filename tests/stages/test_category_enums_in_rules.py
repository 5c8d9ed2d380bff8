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


def test_the_status_of_validated_data_is_the_same_with_its_categories_as_text() -> None:
    """The status rules read the contacts', goals', outcomes', screenings' and reviews' categories
    as their Enum when validated data holds it: the same caseload with every category as text (as
    made by hand) gives the same status, stage entries and worklist."""
    import casekit as ck
    from casekit.data import as_text

    result = ck.validate(ck.make_sample(300, seed=5), as_of=ck.SAMPLE_AS_OF)

    def blanks(df: pl.DataFrame) -> pl.DataFrame:  # a blank in every fifth row of each category
        every_fifth = pl.int_range(pl.len()) % 5 == 2
        return df.with_columns(pl.when(~every_fifth).then(pl.col(pl.Enum)).name.keep())

    enums = CaseData({name: blanks(df) for name, df in result.data.sheets.items()})
    assert isinstance(enums["contacts"].schema["kind"], pl.Enum)
    assert enums["goals"]["status"].null_count() > 0
    text = CaseData({name: as_text(df) for name, df in enums.sheets.items()})
    for as_of in (ck.SAMPLE_AS_OF, ck.SAMPLE_AS_OF.replace(month=1)):
        status = [ck.case_status(d, as_of=as_of) for d in (enums, text)]
        assert status[0].equals(status[1])
        assert ck.worklist(status[0]).equals(ck.worklist(status[1]))
        entries = [ck.stage_entries(d, as_of=as_of) for d in (enums, text)]
        assert entries[0].equals(entries[1])
    assert status[0]["flags"].list.len().sum() > 0


def test_a_contact_outside_the_vocabulary_is_no_client_contact() -> None:
    """Text made by hand: ``Attended`` or ``Cliente`` (not ids) count as nothing, a blank
    ``with_whom`` as the client — on text and on the Enum (where only ids can be)."""
    from casekit.stages._config import load_process_config
    from casekit.stages._obligations import client_contact

    hand = pl.DataFrame(
        {
            "status": ["attended", "Attended", "attended", "attended", "missed", None],
            "with_whom": ["client", "client", "Cliente", None, "client", "client"],
        }
    )
    cfg = load_process_config()
    assert hand.select(client_contact(cfg)).to_series().to_list() == [True, False, False, True, False, None]
    ids = hand.filter(pl.int_range(pl.len()).is_in([0, 3, 4, 5])).cast(
        {"status": category_enum("contact_status"), "with_whom": category_enum("with_whom")}
    )
    assert ids.select(client_contact(cfg)).to_series().to_list() == [True, True, False, None]
