"""Computations of the Transitions screen (casekit/ui/_transitions.py), without Streamlit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.present import readable, screen_headers
from casekit.ui import _transitions as tx

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"
D = dt.date


@pytest.fixture(scope="module")
def sample() -> ck.ValidationResult:
    return ck.validate(ck.read_workbook(SAMPLE), as_of=ck.SAMPLE_AS_OF)


def _contacts(rows: list[tuple[str, dt.date, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"case_id": pl.String, "contact_on": pl.Date, "kind": pl.String, "status": pl.String}, orient="row"
    )


def _transitions(rows: list[tuple[str, dt.date, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"case_id": pl.String, "transition_on": pl.Date, "kind": pl.String}, orient="row"
    ).with_columns(to_level=pl.lit("home_health"))


def test_each_contact_status_on_hand_built_cases() -> None:
    as_of = D(2026, 3, 31)
    transitions = _transitions(
        [
            ("DAY7", D(2026, 3, 1), "discharge"),  # contact on day 7: the last day counts
            ("DAY8", D(2026, 3, 1), "discharge"),  # contact on day 8: late
            ("SAMEDAY", D(2026, 3, 1), "step_down"),  # contact the same day: within
            ("BEFORE", D(2026, 3, 10), "step_down"),  # only a contact before the transition
            ("MISSED", D(2026, 3, 1), "discharge"),  # the contact was missed
            ("OTHERKIND", D(2026, 3, 1), "discharge"),  # a phone call is not a post-transition contact
            ("FUTURE", D(2026, 3, 1), "discharge"),  # the contact is after as_of
            ("LASTDAY", D(2026, 3, 24), "discharge"),  # window ends today: still open
            ("TWICE", D(2026, 1, 1), "step_down"),  # the earlier one had its contact…
            ("TWICE", D(2026, 3, 1), "discharge"),  # …the latest has none
            ("LATER", D(2026, 4, 5), "discharge"),  # after as_of: not counted
        ]
    )
    contacts = _contacts(
        [
            ("DAY7", D(2026, 3, 8), "post_transition", "attended"),
            ("DAY8", D(2026, 3, 9), "post_transition", "attended"),
            ("SAMEDAY", D(2026, 3, 1), "post_transition", "attended"),
            ("BEFORE", D(2026, 3, 5), "post_transition", "attended"),
            ("MISSED", D(2026, 3, 3), "post_transition", "missed"),
            ("OTHERKIND", D(2026, 3, 3), "phone_call", "attended"),
            ("FUTURE", D(2026, 4, 2), "post_transition", "attended"),
            ("TWICE", D(2026, 1, 3), "post_transition", "attended"),
        ]
    )
    post = tx.post_transition_contacts(transitions, contacts, as_of=as_of, window_days=7)
    got = dict(post.select("case_id", "contact_status").iter_rows())
    assert got == {
        "DAY7": "within",
        "DAY8": "late",
        "SAMEDAY": "within",
        "BEFORE": "missing",
        "MISSED": "missing",
        "OTHERKIND": "missing",
        "FUTURE": "missing",
        "LASTDAY": "open",
        "TWICE": "missing",
    }
    twice = post.filter(pl.col("case_id") == "TWICE").row(0, named=True)
    assert twice["transition_on"] == D(2026, 3, 1)
    assert twice["kind"] == "discharge"
    assert twice["window_ends_on"] == D(2026, 3, 8)
    assert post.filter(pl.col("case_id") == "DAY8")["contact_on"].item() == D(2026, 3, 9)
    assert tx.contact_counts(post).rows() == [("within", 2), ("late", 1), ("open", 1), ("missing", 5)]


def test_a_longer_window_turns_late_into_within() -> None:
    transitions = _transitions([("A", D(2026, 3, 1), "discharge")])
    contacts = _contacts([("A", D(2026, 3, 10), "post_transition", "attended")])
    for days, expected in ((7, "late"), (9, "within"), (10, "within")):
        post = tx.post_transition_contacts(transitions, contacts, as_of=D(2026, 4, 1), window_days=days)
        assert post["contact_status"].item() == expected


def _by_hand(result: ck.ValidationResult, as_of: dt.date, window: int) -> dict[str, str]:
    """Plain Python over the sheets' rows: each case's latest transition and its contact."""
    latest: dict[str, dt.date] = {}
    for row in result.data["transitions"].iter_rows(named=True):
        if row["transition_on"] <= as_of:
            latest[row["case_id"]] = max(latest.get(row["case_id"], row["transition_on"]), row["transition_on"])
    first: dict[str, dt.date] = {}
    for row in result.data["contacts"].iter_rows(named=True):
        case, on = row["case_id"], row["contact_on"]
        ok = row["kind"] == "post_transition" and row["status"] == "attended" and on <= as_of
        if ok and case in latest and on >= latest[case]:
            first[case] = min(first.get(case, on), on)
    out = {}
    for case, on in latest.items():
        end = on + dt.timedelta(days=window)
        if case in first:
            out[case] = "within" if first[case] <= end else "late"
        else:
            out[case] = "open" if as_of <= end else "missing"
    return out


def test_sample_counts_equal_a_hand_computation(sample: ck.ValidationResult) -> None:
    transitions = tx.transitions_until(sample.data, ck.SAMPLE_AS_OF)
    post = tx.post_transition_contacts(transitions, tx.contacts_of(sample.data), as_of=ck.SAMPLE_AS_OF, window_days=7)
    hand = _by_hand(sample, ck.SAMPLE_AS_OF, 7)
    assert dict(post.select("case_id", "contact_status").iter_rows()) == hand
    counts = dict(tx.contact_counts(post).iter_rows())
    assert counts == {s: sum(v == s for v in hand.values()) for s in tx.CONTACT_STATUSES}
    assert counts["within"] > 0
    assert counts["missing"] > 0


def test_the_list_to_chase_matches_the_stage_engine_flag(sample: ck.ValidationResult) -> None:
    status = ck.case_status(sample, as_of=ck.SAMPLE_AS_OF)
    flags = ck.flags_long(status)
    transitions = tx.transitions_until(sample.data, ck.SAMPLE_AS_OF)
    post = tx.post_transition_contacts(transitions, tx.contacts_of(sample.data), as_of=ck.SAMPLE_AS_OF, window_days=7)
    chase = tx.contacts_to_chase(post, status, flags)
    assert set(chase["contact_status"]) == {"late", "missing"}
    flagged = flags.filter(pl.col("flag") == tx.FLAG)
    assert sorted(chase.filter(pl.col("flag_due_on").is_not_null())["case_id"]) == sorted(flagged["case_id"])
    # every open case on the list has the flag; its due date is the window's end
    open_rows = chase.filter(pl.col("case_open"))
    assert open_rows["flag_due_on"].null_count() == 0
    assert (open_rows["flag_due_on"] == open_rows["window_ends_on"]).all()
    figures = tx.key_figures(transitions, post, chase, tx.readmissions(transitions))
    assert figures["flagged"] == flagged.height
    assert figures["transitions"] == sample.data["transitions"].height
    assert figures["cases"] == sample.data["transitions"]["case_id"].n_unique()


def test_flows_and_kinds_add_up_to_the_sheet(sample: ck.ValidationResult) -> None:
    transitions = tx.transitions_until(sample.data, ck.SAMPLE_AS_OF)
    assert transitions.height == sample.data["transitions"].height
    flows = tx.transition_flows(transitions)
    assert flows["transitions"].sum() == transitions.height
    assert flows["transitions"].to_list() == sorted(flows["transitions"], reverse=True)
    kinds = tx.transitions_by_kind(transitions)
    assert kinds["transitions"].sum() == transitions.height
    assert kinds["kind"].to_list() == [k for k in ck.contract.VOCABS["transition_kind"] if k in set(kinds["kind"])]


def test_transitions_after_the_as_of_date_are_left_out(sample: ck.ValidationResult) -> None:
    earlier = dt.date(2026, 6, 30)
    transitions = tx.transitions_until(sample.data, earlier)
    expected = sample.data["transitions"].filter(pl.col("transition_on") <= earlier).height
    assert 0 < transitions.height == expected < sample.data["transitions"].height


def test_readmissions_need_a_strictly_earlier_discharge_or_step_down() -> None:
    transitions = _transitions(
        [
            ("A", D(2026, 1, 1), "discharge"),
            ("A", D(2026, 1, 11), "step_up"),
            ("B", D(2026, 1, 1), "step_down"),
            ("B", D(2026, 1, 1), "step_up"),  # same day: not after
            ("C", D(2026, 1, 5), "step_up"),  # no earlier discharge
            ("C", D(2026, 1, 9), "discharge"),
            ("D", D(2026, 1, 1), "step_down"),
            ("D", D(2026, 1, 20), "discharge"),
            ("D", D(2026, 2, 1), "step_up"),  # the nearest earlier one counts
            ("E", D(2026, 1, 1), "transfer"),
            ("E", D(2026, 1, 2), "step_up"),  # a transfer is not a discharge
        ]
    )
    out = tx.readmissions(transitions)
    assert out.select("case_id", "after_kind", "days").rows() == [("A", "discharge", 10), ("D", "discharge", 12)]


def test_a_workbook_with_only_cases_gives_empty_frames() -> None:
    data = CaseData({"cases": pl.DataFrame({"case_id": ["A"], "opened_on": [D(2026, 1, 1)]})})
    transitions = tx.transitions_until(data, D(2026, 3, 1))
    post = tx.post_transition_contacts(transitions, tx.contacts_of(data), as_of=D(2026, 3, 1), window_days=7)
    assert transitions.height == post.height == 0
    assert tx.contact_counts(post)["cases"].to_list() == [0, 0, 0, 0]
    assert tx.readmissions(transitions).height == 0
    assert tx.transition_flows(transitions).height == 0
    assert readable(tx.transition_flows(transitions), "es").columns == [
        "Nivel de origen",
        "Nivel de destino",
        "Transiciones",
    ]


@pytest.mark.parametrize(
    ("lang", "kind", "status", "day", "yes"),
    [("es", "Alta", "Fuera de plazo", "09/03/2026", "sí"), ("en", "Discharge", "Late", "2026-03-09", "yes")],
)
def test_readable_shows_labels_dates_and_the_screens_headers(
    lang: str, kind: str, status: str, day: str, yes: str
) -> None:
    df = pl.DataFrame(
        {
            "kind": ["discharge"],
            "to_level": [None],
            "contact_on": [D(2026, 3, 9)],
            "contact_status": ["late"],
            "case_open": [True],
        },
        schema_overrides={"to_level": pl.String},
    )
    shown = readable(df, lang, headers=screen_headers("ui_transitions", df.columns, lang))
    assert shown.row(0) == (kind, "", day, status, yes)
    assert shown.columns[0] == ("Tipo de transición" if lang == "es" else "Kind of transition")
