"""Computations of the Transitions screen (casekit/ui/transitions.py), without Streamlit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import casekit as ck
from casekit.data import CaseData
from casekit.present import readable, screen_headers
from casekit.ui import transitions as tx

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


#: Every window 7 calendar days (the old single window), to test the classification alone.
SEVEN = "[post_transition]\nbusiness_day_kinds = []\n[post_transition.window_days]\ndischarge = 7\ntransfer = 7"


def test_each_contact_status_on_hand_built_cases() -> None:
    as_of = D(2026, 3, 31)
    transitions = _transitions(
        [
            ("DAY7", D(2026, 3, 1), "discharge"),  # contact on day 7: the last day counts
            ("DAY8", D(2026, 3, 1), "discharge"),  # contact on day 8: late
            ("SAMEDAY", D(2026, 3, 1), "step_down"),  # contact the same day: within
            ("BEFORE", D(2026, 3, 10), "step_down"),  # only a contact before the transition
            ("MISSED", D(2026, 3, 1), "discharge"),  # the contact was missed
            ("OTHERKIND", D(2026, 3, 1), "discharge"),  # an attended phone call with the client counts
            ("EDUCATION", D(2026, 3, 1), "discharge"),  # an education session does not
            ("INSURER", D(2026, 3, 1), "discharge"),  # a call with the insurer does not
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
            ("EDUCATION", D(2026, 3, 3), "education", "attended"),
            ("INSURER", D(2026, 3, 3), "phone_call", "attended"),
            ("FUTURE", D(2026, 4, 2), "post_transition", "attended"),
            ("TWICE", D(2026, 1, 3), "post_transition", "attended"),
        ]
    ).with_columns(with_whom=pl.when(pl.col("case_id") == "INSURER").then(pl.lit("insurer")))
    post = tx.post_transition_contacts(transitions, contacts, as_of=as_of, config=SEVEN)
    got = {(case, on): status for case, on, status in post.select("case_id", "transition_on", "contact_status").rows()}
    assert {case: status for (case, _), status in got.items() if case != "TWICE"} == {
        "DAY7": "within",
        "DAY8": "late",
        "SAMEDAY": "within",
        "BEFORE": "missing",
        "MISSED": "missing",
        "OTHERKIND": "within",
        "EDUCATION": "missing",
        "INSURER": "missing",
        "FUTURE": "missing",
        "LASTDAY": "open",
    }
    assert got["TWICE", D(2026, 1, 1)] == "within"  # one row per transition
    assert got["TWICE", D(2026, 3, 1)] == "missing"
    twice = post.filter(pl.col("case_id") == "TWICE").row(1, named=True)
    assert twice["kind"] == "discharge"
    assert twice["window_ends_on"] == D(2026, 3, 8)
    assert post.filter(pl.col("case_id") == "DAY8")["contact_on"].item() == D(2026, 3, 9)
    assert tx.contact_counts(post).rows() == [("within", 4), ("late", 1), ("open", 1), ("missing", 6)]


def test_a_longer_window_turns_late_into_within() -> None:
    transitions = _transitions([("A", D(2026, 3, 1), "step_up")])
    contacts = _contacts([("A", D(2026, 3, 10), "post_transition", "attended")])
    for days, expected in ((7, "late"), (9, "within"), (10, "within")):
        rules = f"[post_transition.window_days]\nstep_up = {days}"
        post = tx.post_transition_contacts(transitions, contacts, as_of=D(2026, 4, 1), config=rules)
        assert post["contact_status"].item() == expected


def _window_end(on: dt.date, kind: str | None) -> dt.date:
    """Default windows counted by hand: 2 business days (discharge, transfer, blank), else 7 days."""
    if kind in ("step_down", "step_up"):
        return on + dt.timedelta(days=7)
    end, left = on, 2
    while left:
        end += dt.timedelta(days=1)
        left -= end.weekday() < 5
    return end


def _by_hand(result: ck.ValidationResult, as_of: dt.date) -> dict[tuple[str, str], str]:
    """Plain Python over the sheets' rows: every transition and its first client contact."""
    kinds = {"post_transition", "phone_call", "home_visit", "appointment", "follow_up"}
    dates: dict[str, list[dt.date]] = {}
    for row in result.data["contacts"].iter_rows(named=True):
        client = (row["with_whom"] or "client") in ("client", "support_system")
        if row["kind"] in kinds and row["status"] == "attended" and client and row["contact_on"] <= as_of:
            dates.setdefault(row["case_id"], []).append(row["contact_on"])
    out = {}
    for row in result.data["transitions"].iter_rows(named=True):
        on = row["transition_on"]
        if on > as_of:
            continue
        end = _window_end(on, row["kind"])
        first = min((d for d in dates.get(row["case_id"], []) if d >= on), default=None)
        if first is not None:
            out[row["transition_id"]] = "within" if first <= end else "late"
        else:
            out[row["transition_id"]] = "open" if as_of <= end else "missing"
    return out


def test_sample_counts_equal_a_hand_computation(sample: ck.ValidationResult) -> None:
    transitions = tx.transitions_until(sample.data, ck.SAMPLE_AS_OF)
    post = tx.post_transition_contacts(transitions, tx.contacts_of(sample.data), as_of=ck.SAMPLE_AS_OF)
    hand = _by_hand(sample, ck.SAMPLE_AS_OF)
    ids = transitions.sort("case_id", "transition_on", maintain_order=True)["transition_id"].to_list()
    assert dict(zip(ids, post["contact_status"], strict=True)) == hand
    counts = dict(tx.contact_counts(post).iter_rows())
    assert counts == {s: sum(v == s for v in hand.values()) for s in tx.CONTACT_STATUSES}
    assert counts["within"] > 0
    assert counts["late"] > 0
    assert counts["missing"] > 0


def test_the_list_to_chase_matches_the_stage_engine_flag(sample: ck.ValidationResult) -> None:
    status = ck.case_status(sample, as_of=ck.SAMPLE_AS_OF)
    flags = ck.flags_long(status)
    transitions = tx.transitions_until(sample.data, ck.SAMPLE_AS_OF)
    post = tx.post_transition_contacts(transitions, tx.contacts_of(sample.data), as_of=ck.SAMPLE_AS_OF)
    chase = tx.contacts_to_chase(post, status, flags)
    assert set(chase["contact_status"]) == {"late", "missing"}
    flagged = flags.filter(pl.col("flag") == tx.FLAG)
    assert sorted(set(chase.filter(pl.col("flag_due_on").is_not_null())["case_id"])) == sorted(flagged["case_id"])
    # every open case with a missing transition has the flag, due on its earliest window end
    missing = chase.filter(pl.col("case_open") & (pl.col("contact_status") == "missing"))
    earliest = missing.group_by("case_id").agg(pl.col("window_ends_on").min(), pl.col("flag_due_on").first())
    assert earliest["flag_due_on"].null_count() == 0
    assert (earliest["flag_due_on"] == earliest["window_ends_on"]).all()
    readmitted = tx.readmissions(sample, as_of=ck.SAMPLE_AS_OF)
    figures = tx.key_figures(transitions, post, chase, readmitted)
    assert figures["flagged"] == flagged.height  # open cases with the flag
    assert figures["transitions"] == sample.data["transitions"].height
    assert figures["cases"] == sample.data["transitions"]["case_id"].n_unique()
    assert figures["readmissions"] == readmitted.height > 0


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


def test_readmissions_into_hospital_within_30_days_of_leaving_it() -> None:
    def tx_row(case: str, on: dt.date, kind: str, frm: str, to: str) -> dict:
        return {"case_id": case, "transition_on": on, "kind": kind, "from_level": frm, "to_level": to}

    rows = [
        tx_row("DAY30", D(2026, 1, 1), "discharge", "inpatient", "discharged"),
        tx_row("DAY30", D(2026, 1, 31), "step_up", "community", "inpatient"),  # day 30: counts
        tx_row("DAY31", D(2026, 1, 1), "discharge", "inpatient", "discharged"),
        tx_row("DAY31", D(2026, 2, 1), "step_up", "community", "inpatient"),  # day 31: does not
        tx_row("REHAB", D(2026, 1, 1), "step_down", "inpatient", "home_health"),
        tx_row("REHAB", D(2026, 1, 10), "step_up", "home_health", "rehabilitation"),  # not into hospital
        tx_row("SAMEDAY", D(2026, 1, 1), "discharge", "inpatient", "discharged"),
        tx_row("SAMEDAY", D(2026, 1, 1), "transfer", "community", "inpatient"),  # same day: a transfer
        tx_row("FROMREHAB", D(2026, 1, 1), "discharge", "rehabilitation", "discharged"),
        tx_row("FROMREHAB", D(2026, 1, 5), "step_up", "community", "inpatient"),  # index not from hospital
        tx_row("TWICE", D(2026, 1, 1), "step_down", "inpatient", "home_health"),
        tx_row("TWICE", D(2026, 1, 3), "transfer", "home_health", "inpatient"),  # a transfer in counts
        tx_row("TWICE", D(2026, 1, 9), "step_up", "home_health", "inpatient"),  # one per index event
    ]
    data = CaseData({"transitions": pl.DataFrame(rows)})
    out = tx.readmissions(data)
    assert out.select("case_id", "discharge_on", "index_kind", "readmitted_on", "days").rows() == [
        ("DAY30", D(2026, 1, 1), "discharge", D(2026, 1, 31), 30),
        ("TWICE", D(2026, 1, 1), "step_down", D(2026, 1, 3), 2),
    ]
    assert tx.readmissions(data, config="[readmission]\ndays = 31")["case_id"].to_list() == ["DAY30", "DAY31", "TWICE"]
    wider = "[readmission]\nlevels = ['inpatient', 'rehabilitation']"
    assert set(tx.readmissions(data, config=wider)["case_id"]) == {"DAY30", "REHAB", "FROMREHAB", "TWICE"}
    assert tx.readmissions(data, as_of=D(2026, 1, 2)).height == 0


def test_a_workbook_with_only_cases_gives_empty_frames() -> None:
    data = CaseData({"cases": pl.DataFrame({"case_id": ["A"], "opened_on": [D(2026, 1, 1)]})})
    transitions = tx.transitions_until(data, D(2026, 3, 1))
    post = tx.post_transition_contacts(transitions, tx.contacts_of(data), as_of=D(2026, 3, 1))
    assert transitions.height == post.height == 0
    assert tx.contact_counts(post)["cases"].to_list() == [0, 0, 0, 0]
    assert tx.readmissions(data).height == 0
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
