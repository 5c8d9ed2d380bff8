"""The measures catalogue: MCID, response, remission, post-only measures, overrides (issue 17).

Every expectation is worked out by hand from the catalogue's rules (docs/outcomes.md).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from casekit.errors import ConfigError
from casekit.measures import load_measures
from casekit.outcomes import outcome_changes, outcome_summary, post_only_summary, post_only_values
from casekit.stages import NO_RISK, case_status

from .conftest import caseload, m


def pair(base: float, latest: float, measure: str = "PHQ-9", case: str = "A", **kw) -> list[dict]:
    return [
        m(case, "2026-01-10", base, "baseline", measure=measure, **kw),
        m(case, "2026-04-10", latest, "follow_up", measure=measure, **kw),
    ]


def row(base: float, latest: float, measure: str = "PHQ-9", **kw) -> dict:
    out = outcome_changes(caseload(outcomes=pair(base, latest, measure)), **kw)
    assert out.height == 1
    return out.row(0, named=True)


FLAGS = ("direction", "improved", "mcid_applied", "response", "remission")


def flags(r: dict) -> tuple:
    return tuple(r[k] for k in FLAGS)


def test_phq9_15_to_14_is_a_change_the_right_way_but_not_beyond_the_mcid() -> None:
    # change -1; MCID 5; response needs <= 7.5; remission needs < 5
    assert flags(row(15, 14)) == ("improved", False, True, False, False)


def test_phq9_15_to_4_is_response_and_remission() -> None:
    # change -11 >= 5; 11 / 15 = 73 % >= 50 %; 4 < 5
    assert flags(row(15, 4)) == ("improved", True, True, True, True)


def test_phq9_exactly_the_mcid_and_exactly_half() -> None:
    # 15 -> 10: a fall of 5 = the MCID (counts); 10 / 15 kept: 33 % < 50 %, no response
    assert flags(row(15, 10)) == ("improved", True, True, False, False)
    # 16 -> 8: exactly 50 % (response), 8 is not < 5
    assert flags(row(16, 8)) == ("improved", True, True, True, False)


def test_phq9_baseline_below_10_has_no_response_or_remission() -> None:
    # baseline 8 is out of range (PHQ-9 response/remission apply from 10): null, not False
    assert flags(row(8, 2)) == ("improved", True, True, None, None)


def test_phq9_worsening_is_not_improved() -> None:
    assert flags(row(12, 20)) == ("worsened", False, True, False, False)


def test_gad7_remission_and_mcid_no_response_rule() -> None:
    # 12 -> 4: fall of 8 >= MCID 4; remission 4 < 5; GAD-7 catalogues no response rule
    assert flags(row(12, 4, "GAD-7")) == ("improved", True, True, None, True)
    assert flags(row(12, 9, "GAD-7")) == ("improved", False, True, None, False)


def test_names_match_ignoring_case_and_punctuation_and_aliases() -> None:
    r = row(15, 4, "phq_9")
    assert (r["catalogued"], r["response"], r["measure"]) == (True, True, "phq_9")
    r = row(3, 1, "Urgencias 6m")  # alias of ed_visits_6m
    assert (r["catalogued"], r["domain"], r["higher_is_better"], r["improved"]) == (True, "utilization", False, True)


def test_uncatalogued_measure_falls_back_to_the_row_and_any_change() -> None:
    r = row(40, 41, "own_scale")  # conftest rows say higher_is_better = False
    assert (r["catalogued"], r["mcid_applied"], r["direction"], r["improved"]) == (False, False, "worsened", False)
    assert (r["response"], r["remission"]) == (None, None)
    r = row(40, 39, "own_scale")
    assert (r["direction"], r["improved"]) == ("improved", True)


def test_a_zero_baseline_is_never_a_response() -> None:
    own = "[measures.pain]\ndomain = 'clinical'\nhigher_is_better = false\nkind = 'score'\nresponse_reduction = 0.5"
    r = row(0, 0, "pain", measures=own)
    assert (r["direction"], r["response"], r["remission"]) == ("unchanged", False, None)
    assert row(4, 2, "pain", measures=own)["response"] is True


def test_a_user_catalogue_replaces_an_entry_and_keeps_the_others(tmp_path) -> None:
    path = tmp_path / "measures.toml"
    path.write_text(
        "[measures.PHQ-9]\ndomain = 'psychosocial'\nhigher_is_better = false\nkind = 'score'\nmcid = 6\n",
        encoding="utf-8",
    )
    r = row(15, 10, measures=path)  # a fall of 5 < the team's MCID of 6; no response rule any more
    assert (r["domain"], r["improved"], r["response"], r["remission"]) == ("psychosocial", False, None, None)
    assert load_measures(path).get("GAD-7").mcid == 4.0


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("[measures.x]\ndomain = 'clinical'\nkind = 'score'", "en", ["measures.x.higher_is_better", "missing"]),
        (
            "[measures.x]\ndomain = 'clinical'\nhigher_is_better = 1\nkind = 'score'",
            "es",
            ["measures.x.higher_is_better"],
        ),
        ("[measures.x]\ndomain = 'clinical'\nhigher_is_better = true\nkind = 'cost'\nmcid = -1", "en", ["mcid"]),
        ("[measures.x]\ndomain = 'clinical'\nhigher_is_better = true\nkind = 'grade'", "es", ["kind", "catálogo"]),
        ("[measures.x]\ndomain = 'clinical'\nhigher_is_better = true\nkind = 'score'\nmicd = 3", "en", ["micd"]),
        ("[measure.x]\ndomain = 'clinical'", "es", ["Ajuste desconocido", "measure"]),
        ("[measures.x\n", "en", ["not valid TOML"]),
    ],
)
def test_catalogue_errors_name_the_key_in_the_language(text: str, lang: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        load_measures(text, lang=lang)
    for w in words:
        assert w in str(err.value)


def test_summary_ci_mcid_response_remission_and_cases_without_a_pair() -> None:
    # 12 pairs: six 15 -> 4 (change -11: response + remission), six 15 -> 14 (change -1); 3 unpaired
    rows = []
    for i in range(12):
        rows += pair(15, 4 if i < 6 else 14, case=f"C{i:02}")
    rows += [m(f"U{i}", "2026-01-10", 15, "baseline") for i in range(3)]
    s = outcome_summary(caseload(outcomes=rows), by=["measure"], for_sharing=False).row(0, named=True)  # exact
    changes = [-11.0] * 6 + [-1.0] * 6
    mean = -6.0
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / 11)  # = 5.2223
    half = 2.201 * sd / math.sqrt(12)  # t(0.975, 11) = 2.201
    assert (s["n_cases"], s["n_paired"], s["n_unpaired"]) == (15, 12, 3)
    assert s["mean_change"] == pytest.approx(mean)
    assert (s["ci_low"], s["ci_high"]) == (pytest.approx(mean - half, abs=1e-3), pytest.approx(mean + half, abs=1e-3))
    assert (s["mcid"], s["mcid_applied"]) == (5.0, True)
    assert (s["pct_improved"], s["pct_improved_any"]) == (0.5, 1.0)
    assert (s["pct_response"], s["pct_remission"]) == (0.5, 0.5)


def test_summary_response_share_counts_only_baselines_in_range() -> None:
    # 11 pairs 15 -> 4 (response) and 11 pairs 8 -> 2 (baseline < 10: not counted)
    rows = []
    for i in range(11):
        rows += pair(15, 4, case=f"A{i:02}") + pair(8, 2, case=f"B{i:02}")
    s = outcome_summary(caseload(outcomes=rows), by=["measure"]).row(0, named=True)
    assert (s["n_pairs"], s["pct_response"], s["pct_remission"], s["pct_improved"]) == (22, 1.0, 1.0, 1.0)


def test_uncatalogued_summary_says_no_mcid_was_applied() -> None:
    rows = []
    for i in range(11):
        rows += pair(40, 39, "own_scale", case=f"C{i:02}")
    s = outcome_summary(caseload(outcomes=rows), by=["measure"]).row(0, named=True)
    assert (s["mcid"], s["mcid_applied"], s["pct_improved"], s["pct_response"]) == (None, False, 1.0, None)


def csq(case: str, value: float, on: str = "2026-06-01", timepoint: str = "discharge") -> dict:
    return m(case, on, value, timepoint, measure="CSQ-8", domain="satisfaction", higher_is_better=True)


def test_post_only_summary_distribution() -> None:
    values = [20, 22, 24, 24, 26, 28, 28, 29, 30, 31, 32]
    rows = [csq(f"C{i:02}", v) for i, v in enumerate(values)]
    rows.append(csq("C00", 12, on="2026-05-01", timepoint="follow_up"))  # earlier: the discharge value counts
    s = post_only_summary(caseload(outcomes=rows)).row(0, named=True)
    mean = sum(values) / 11
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 10)
    # linear quantiles over 11 sorted values: p25 at position 2.5 -> 24, p75 at 7.5 -> 29.5
    assert (s["domain"], s["measure"], s["n_cases"], s["min"], s["max"]) == ("satisfaction", "CSQ-8", 11, 20.0, 32.0)
    assert (s["mean"], s["sd"]) == (pytest.approx(mean), pytest.approx(sd))
    assert (s["p25"], s["median"], s["p75"]) == (24.0, 28.0, 29.5)
    assert outcome_summary(caseload(outcomes=rows), by=["measure"]).height == 0  # no pairs to report there


def test_post_only_summary_suppresses_small_cells() -> None:
    s = post_only_summary(caseload(outcomes=[csq(f"C{i}", 25) for i in range(4)])).row(0, named=True)
    assert (s["n_cases"], s["mean"], s["suppressed"]) == (None, None, True)
    assert post_only_values(caseload(outcomes=[csq("A", 25)]))["value"].to_list() == [25.0]


def test_a_satisfaction_only_case_is_evaluated_by_the_stage_engine() -> None:
    screened = {"screened_on": "2026-01-03", "decision": "refer_to_assessment"}
    data = caseload(
        cases=[{"case_id": c, "closed_on": "2026-06-01"} for c in ("S", "P", "N")],
        screenings=[{"case_id": c, **screened} for c in ("S", "P", "N")],
        outcomes=[
            csq("S", 27),  # satisfaction at discharge only: evaluated
            m("P", "2026-06-01", 9, "discharge"),  # PHQ-9 at discharge without a baseline: not evaluated
        ],
    )
    status = case_status(data, as_of=dt.date(2026, 9, 30), risk=NO_RISK)
    flagged = {r["case_id"]: "closed_without_outcomes" in r["flags"] for r in status.iter_rows(named=True)}
    assert flagged == {"S": False, "P": True, "N": True}
