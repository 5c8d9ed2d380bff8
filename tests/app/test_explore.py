"""Explore screen (researchers), driven headlessly with AppTest on the bundled sample."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import zipfile
from pathlib import Path

import polars as pl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

import casekit as ck
from casekit import cohort as co
from casekit.contract import SHEETS, identifying_columns
from casekit.i18n import t
from casekit.present import format_number, header
from casekit.ui.widgets import wrapped_row_height
from tests.app.conftest import open_app

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"


@pytest.fixture(scope="module")
def expected(sample_result: ck.ValidationResult, sample_status: pl.DataFrame) -> dict[str, object]:
    result, status = sample_result, sample_status
    entries = ck.stage_entries(result.data, as_of=ck.SAMPLE_AS_OF)
    changes = ck.outcome_changes(result, as_of=ck.SAMPLE_AS_OF)
    return {"result": result, "status": status, "entries": entries, "changes": changes}


#: The key every extract of these tests is made with (a fresh random key would make the
#: k-anonymity steps, and so the extract's size, differ from run to run).
FIXED_KEY = hashlib.sha256(b"casekit explore tests").hexdigest()


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """The page's extracts draw :data:`FIXED_KEY` instead of a random key (same process)."""
    import casekit.deid

    monkeypatch.setattr(casekit.deid, "new_key", lambda: FIXED_KEY)
    return FIXED_KEY


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """``{file name: bytes}`` of every download button drawn (a callable for deferred ones)."""
    seen: dict[str, object] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, *args, **kwargs):
        seen[kwargs.get("file_name")] = data
        return add(self, data, mimetype, coordinates, *args, **kwargs)

    def record_deferred(self, fn, mimetype, coordinates, *args, **kwargs):
        seen[kwargs.get("file_name")] = fn
        return add_deferred(self, fn, mimetype, coordinates, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return seen


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _count_line(at, lang: str) -> str:
    """The "N of M cases match" line of cohort A."""
    word = "de" if lang == "es" else "of"
    return next(m.value for m in at.markdown if f" {word} " in m.value and m.value.startswith("**"))


def _table(at, column: str):
    """The first table on screen with a column named ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _numbers(column, lang: str) -> list[float]:
    """A shown column of numbers in ``lang``'s format (``1.234,5\xa0%``) as floats (blank: nan)."""
    thousands, decimal = (".", ",") if lang == "es" else (",", ".")
    out = []
    for value in column:
        text = str(value).replace("\xa0", "").replace("%", "").replace(thousands, "").replace(decimal, ".").strip()
        out.append(float(text) if text else float("nan"))
    return out


def _groups(at, lang: str):
    """The measure-by-group table (the only one whose second column is the group's cases)."""
    heads = {header("n_cases", lang), header("count", lang)}
    return next(d.value for d in at.dataframe if len(d.value.columns) > 1 and d.value.columns[1] in heads)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_filter_changes_the_count(expected: dict, lang: str) -> None:
    status = expected["status"]
    total = status.height
    at = open_app("explore", lang=lang)
    _ok(at)
    assert at.title[0].value == t("ui.page_explore", lang)
    assert _count_line(at, lang).startswith(f"**{format_number(total, lang)}** ")
    at.multiselect(key="ex_tiers").set_value(["high"]).run()
    _ok(at)
    high = status.filter(pl.col("effective_tier") == "high")
    assert 0 < high.height < total
    assert _count_line(at, lang).startswith(f"**{format_number(high.height, lang)}** ")
    assert format_number(total, lang) in _count_line(at, lang)
    program = high["program"].drop_nulls().mode().sort()[0]
    at.multiselect(key="ex_programs").set_value([program]).run()
    _ok(at)
    both = high.filter(pl.col("program") == program).height
    assert _count_line(at, lang).startswith(f"**{format_number(both, lang)}** ")


def test_filters_survive_a_visit_to_another_page(expected: dict) -> None:
    status = expected["status"]
    at = open_app("explore", lang="en")
    at.multiselect(key="ex_tiers").set_value(["high"]).run()
    _ok(at)
    at.switch_page("pages/overview.py").run()
    _ok(at)
    at.switch_page("pages/explore.py").run()
    _ok(at)
    assert at.multiselect(key="ex_tiers").value == ["high"]
    high = status.filter(pl.col("effective_tier") == "high").height
    assert _count_line(at, "en").startswith(f"**{format_number(high, 'en')}** ")


@pytest.mark.parametrize(
    ("lang", "tier_header", "median_header"),
    [
        ("es", "Nivel de riesgo", "Mediana de días"),
        ("en", "Risk tier", "Median days"),
    ],
)
def test_group_by_and_measure_change_the_table(expected: dict, lang: str, tier_header: str, median_header: str) -> None:
    status, entries = expected["status"], expected["entries"]
    at = open_app("explore", lang=lang)
    first = _groups(at, lang)
    assert first.shape[0] == status["program"].n_unique()  # grouped by programme at first
    at.selectbox(key="ex_by").set_value("effective_tier").run()
    _ok(at)
    by_tier = _groups(at, lang)
    assert by_tier.columns[0] == tier_header
    assert sum(_numbers(by_tier.iloc[:, -1], lang)) == status.height
    # median days from opening to planning by tier, by hand from the stage entries
    at.selectbox(key="ex_measure").set_value("median_days").run()
    _ok(at)
    shown = _groups(at, lang)
    assert shown.columns[-1] == median_header
    plan = entries.filter(pl.col("stage") == "planning").select("case_id", pl.col("entered_on").alias("plan_on"))
    opened = entries.filter(pl.col("stage") == "screening").select("case_id", "entered_on")
    hand = (
        status.join(opened, on="case_id")
        .join(plan, on="case_id")
        .group_by("effective_tier")
        .agg((pl.col("plan_on") - pl.col("entered_on")).dt.total_days().median().alias("days"))
    )
    tiers = {"es": {"low": "Bajo", "moderate": "Moderado", "high": "Alto"}, "en": {}}[lang]
    for tier, days in hand.drop_nulls("effective_tier").iter_rows():
        label = tiers.get(tier, tier.capitalize())
        shown_days = _numbers([shown.loc[shown[tier_header] == label, median_header].item()], lang)[0]
        assert shown_days == pytest.approx(days, abs=0.05)  # written with one decimal


def test_an_outcome_measure_by_group(expected: dict) -> None:
    at = open_app("explore", lang="en")
    at.selectbox(key="ex_measure").set_value("pct_improved").run()
    _ok(at)
    assert at.selectbox(key="ex_outcome").value == "PHQ-9"
    shown = _groups(at, "en")
    phq = expected["changes"].filter((pl.col("measure") == "PHQ-9") & pl.col("change").is_not_null())
    cases = _numbers(shown["Cases with a value"], "en")
    assert sum(cases) == phq.height
    improved = phq.filter(pl.col("improved")).height  # beyond PHQ-9's MCID (5 points)
    pct = [0.0 if math.isnan(v) else v for v in _numbers(shown[header("pct_improved", "en")], "en")]
    weighted = sum(p * n for p, n in zip(pct, cases, strict=True)) / 100
    assert weighted == pytest.approx(improved, abs=0.05 * shown.shape[0])  # percentages rounded to 0.1


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_vs_b_shows_both_cohorts(expected: dict, lang: str) -> None:
    status, changes = expected["status"], expected["changes"]
    at = open_app("explore", lang=lang)
    program = status["program"].drop_nulls().sort()[0]
    at.multiselect(key="ex_tiers").set_value(["high"]).run()
    at.radio(key="ex_view").set_value("compare").run()
    at.multiselect(key="ex_b_programs").set_value([program]).run()
    _ok(at)
    a = status.filter(pl.col("effective_tier") == "high")
    b = status.filter(pl.col("program") == program)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("ui_explore.metric_cases", lang, cohort="A")] == format_number(a.height, lang)
    assert metrics[t("ui_explore.metric_cases", lang, cohort="B")] == format_number(b.height, lang)
    pairs_a, pairs_b = (header(f"n_paired_{side}", lang) for side in "ab")
    outcomes = _table(at, pairs_a)
    assert {pairs_a, pairs_b} <= set(outcomes.columns)
    paired = changes.filter(pl.col("change").is_not_null())
    names = ck.present.vocabulary("measure", lang)  # measures casekit knows are shown by their label
    for side, cases, col in (("A", a, pairs_a), ("B", b, pairs_b)):
        n = paired.filter(pl.col("case_id").is_in(cases["case_id"].implode())).group_by("measure").len()
        got = dict(zip(outcomes.iloc[:, 0], _numbers(outcomes[col], lang), strict=True))
        for measure, count in n.iter_rows():
            assert got[names.get(measure, measure)] == count, (side, measure)
    plan = _table(at, header("n_cases_a", lang))
    assert _numbers(plan[header("n_cases_a", lang)], lang) == [a.height]
    assert _numbers(plan[header("n_cases_b", lang)], lang) == [b.height]
    # four tables' buttons drawn together: each says which table it downloads
    labels = [button.proto.label for button in at.get("download_button")]
    assert len(labels) == 8, labels
    assert len(set(labels)) == len(labels), labels


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_deidentified_export_has_no_identifying_data(expected: dict, downloads: dict, lang: str) -> None:
    status = expected["status"]
    at = open_app("explore", lang=lang)
    at.multiselect(key="ex_tiers").set_value(["moderate"]).run()
    at.radio(key="ex_view").set_value("export").run()
    assert not [b for b in at.get("download_button") if b.key == "ex_deid_download"]  # prepared on demand
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    assert [b for b in at.get("download_button") if b.key == "ex_deid_download"]
    data = downloads["cohort_deidentified.xlsx"]
    assert isinstance(data, bytes)
    raw = pl.read_excel(io.BytesIO(data), sheet_id=0)
    cases_sheet = SHEETS["cases"].label(lang)
    cohort = status.filter(pl.col("effective_tier") == "moderate")
    assert 0.9 * cohort.height <= raw[cases_sheet].height <= cohort.height  # k-anonymity suppresses a few at most
    explained = next(d for d in at.dataframe if header("reason", lang) in d.value.columns)
    longest = int(explained.value[header("reason", lang)].str.len().max())
    assert explained.proto.row_height == wrapped_row_height(pl.DataFrame({"m": ["x" * longest]}), ["m"]) > 64
    assert json.loads(explained.proto.columns)[header("reason", lang)]["width"] == "large"  # every reason whole
    steps = _table(at, header("step", lang))  # what k-anonymity took is shown
    assert steps.shape[1] == 2
    assert any(c.value.startswith(t("deid.anonymity_line", lang)[:12]) for c in at.caption)
    headers = {h for frame in raw.values() for h in frame.columns}
    forbidden = {"notes", SHEETS["contacts"].columns["notes"].es}
    for sheet, columns in identifying_columns().items():
        forbidden |= set(columns) | {SHEETS[sheet].columns[c].es for c in columns}
    assert not headers & forbidden
    originals = set(status["case_id"])
    cells = {v for frame in raw.values() for col in frame.select(pl.col(pl.String)).columns for v in frame[col]}
    assert not cells & originals
    assert ck.read_workbook(data)["cases"].height == raw[cases_sheet].height  # casekit reads it back


def test_exports_event_log_and_suppressed_groups(expected: dict, downloads: dict) -> None:
    status = expected["status"]
    at = open_app("explore", lang="en")
    at.selectbox(key="ex_by").set_value("case_manager").run()
    at.multiselect(key="ex_tiers").set_value(["high"]).run()
    _ok(at)
    cohort = status.filter(pl.col("effective_tier") == "high")
    at.radio(key="ex_view").set_value("export").run()
    _ok(at)
    log = pl.read_csv(io.BytesIO(downloads["cohort_event_log.csv"]()))
    assert set(log["case:concept:name"]) == set(cohort["case_id"])
    groups = pl.read_csv(io.BytesIO(downloads["cohort_groups.csv"]()))  # tables are written when clicked
    counts = groups[header("count", "en")].drop_nulls()
    assert not counts.is_between(1, 10).any()
    exact = cohort.group_by("case_manager").len()
    small = exact.filter(pl.col("len") <= 10).height
    assert small > 0  # the check above really suppressed something
    assert groups[header("suppressed", "en")].to_list().count("yes") == small


def test_choices_of_a_hidden_view_are_kept(expected: dict) -> None:
    status, lang = expected["status"], "en"
    at = open_app("explore", lang=lang)
    at.selectbox(key="ex_by").set_value("sex").run()
    at.radio(key="ex_view").set_value("compare").run()
    at.multiselect(key="ex_b_sexes").set_value(["male"]).run()
    since = dt.date(2026, 1, 1)
    at.date_input(key="ex_b_opened").set_value((since, ck.SAMPLE_AS_OF)).run()
    _ok(at)
    males = (
        status.join(ck.read_workbook(SAMPLE)["cases"].select("case_id", "sex", "opened_on"), on="case_id")
        .filter((pl.col("sex") == "male") & (pl.col("opened_on") >= since))
        .height
    )
    assert any(f"**{format_number(males, lang)}** " in m.value for m in at.markdown)
    at.radio(key="ex_view").set_value("export").run()
    at.radio(key="ex_view").set_value("group").run()
    _ok(at)
    assert at.selectbox(key="ex_by").value == "sex"
    assert _groups(at, "en").columns[0] == "Sex"
    at.radio(key="ex_view").set_value("compare").run()
    assert at.multiselect(key="ex_b_sexes").value == ["male"]
    assert at.date_input(key="ex_b_opened").value == (since, ck.SAMPLE_AS_OF)
    assert any(f"**{format_number(males, lang)}** " in m.value for m in at.markdown)
    # the only warnings are the regression-to-the-mean caveat beside the outcome changes
    # (ED visits, cost) and beside the before/after rates
    assert [w.value for w in at.warning] == [ck.outcomes.rtm_caveat(lang)] * 2


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("workbook", ["broken", "cases_only"])
def test_every_view_works_on_a_broken_or_bare_workbook(expected: dict, workbook: str) -> None:
    if workbook == "broken":
        name, content = "casekit_broken_es.xlsx", (SAMPLE.parent / "casekit_broken_es.xlsx").read_bytes()
    else:
        name, content = "only_cases.xlsx", ck.write_workbook({"cases": expected["result"].data["cases"]}, None)
    at = open_app("explore", lang="en")
    at.radio(key="source").set_value("upload").run()
    at.file_uploader(key="uploads").set_value((name, content, XLSX)).run()
    _ok(at)
    assert _count_line(at, "en").startswith("**")
    no_outcomes = t("ui_explore.no_outcomes", "en")
    for measure in ("count", "median_days", "pct_improved"):
        at.selectbox(key="ex_measure").set_value(measure).run()
        _ok(at)
    assert any(i.value == no_outcomes for i in at.info) == (workbook == "cases_only")
    for view in ("process", "compare", "export"):
        at.radio(key="ex_view").set_value(view).run()
        _ok(at)
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    assert [b for b in at.get("download_button") if b.key == "ex_deid_download"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_vs_b_compares_utilisation_per_member_month_with_the_caveat(expected: dict, lang: str) -> None:
    status = expected["status"]
    at = open_app("explore", lang=lang)
    at.radio(key="ex_view").set_value("compare").run()
    at.multiselect(key="ex_b_tiers").set_value(["low", "moderate"]).run()
    _ok(at)
    b = status.filter(pl.col("effective_tier").is_in(["low", "moderate"]))
    rates = ck.utilisation_rates(expected["result"], as_of=ck.SAMPLE_AS_OF)
    want = co.compare_utilisation(status, b, rates, for_sharing=False)  # the team's screen: real counts
    used_a, used_b = (ck.present.header(f"n_used_{side}", lang) for side in "ab")
    shown = _table(at, used_a)
    for col, side in ((used_a, "a"), (used_b, "b")):
        assert shown[col].tolist() == [format_number(n, lang) if n is not None else "" for n in want[f"n_used_{side}"]]
    before_a = ck.present.header("rate_before_a", lang)
    assert before_a in shown.columns
    caveat = "regresión a la media" if lang == "es" else "regression to the mean"
    assert any(caveat in w.value for w in at.warning)


def test_a_vs_b_compares_goal_attainment(expected: dict) -> None:
    status = expected["status"]
    at = open_app("explore", lang="en")
    at.radio(key="ex_view").set_value("compare").run()
    at.multiselect(key="ex_b_tiers").set_value(["high"]).run()
    _ok(at)
    progress = ck.goal_progress(expected["result"], as_of=ck.SAMPLE_AS_OF)
    want = co.compare_goals(status, status.filter(pl.col("effective_tier") == "high"), progress)
    goals_a, goals_b = (ck.present.header(f"n_goals_{side}", "en") for side in "ab")
    shown = _table(at, goals_a)
    assert shown[goals_a].tolist() == [format_number(want["n_goals_a"].item(), "en")]
    assert shown[goals_b].tolist() == [format_number(want["n_goals_b"].item(), "en")]


def _texts(at) -> list[str]:
    """Every text the page shows: elements, table cells and widget labels and values."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code", "info", "warning", "error",
                 "success", "exception", "json"):  # fmt: skip
        out += [str(e.value) for e in at.get(kind)]
    for frame in at.dataframe:
        out += [str(v) for v in frame.value.to_numpy().ravel()] + [str(c) for c in frame.value.columns]
    out += [str(m.label) + str(m.value) for m in at.metric]
    out += [str(getattr(b, "label", "")) for b in at.get("download_button")]
    return out


def _unpacked(payload: bytes) -> bytes:
    """The bytes of every member of a ZIP (an XLSX is one), decompressed."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


#: A second fixed key: the page's second fresh key in the linking test.
OTHER_KEY = hashlib.sha256(b"casekit explore tests, another extract").hexdigest()


def _pieces(key: str) -> set[str]:
    return {key, key.upper(), key[:16], key[-16:]}


def _extract_ids(payload: bytes, lang: str) -> pl.DataFrame:
    """``case_id, opened_on`` of the cases sheet of a ZIP of CSV files (headers in ``lang``)."""
    columns = SHEETS["cases"].columns
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        text = archive.read(f"{SHEETS['cases'].label(lang)}.csv")
    frame = pl.read_csv(text, separator=";" if lang == "es" else ",", infer_schema=False)
    return frame.select(columns["case_id"].label(lang), columns["opened_on"].label(lang))


@pytest.mark.parametrize(("lang", "fmt"), [("es", "zip"), ("en", "xlsx")])
def test_the_extract_key_is_shown_once_never_kept_nor_written(
    downloads: dict, fixed_key: str, lang: str, fmt: str
) -> None:
    """Explore's extract draws a fresh key and shows it once, in the run that made it: not on
    the next rerun, not in the session, not in the file, and no key file unless asked (issue 15)."""
    at = open_app("explore", lang=lang)
    at.multiselect(key="ex_tiers").set_value(["high"]).run()
    at.radio(key="ex_view").set_value("export").run()
    at.radio(key="ex_deid_format").set_value(fmt).run()
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    payload = downloads[f"cohort_deidentified.{fmt}"]
    assert isinstance(payload, bytes)
    assert len(payload) > 1000  # a real extract was made, with the patched key
    assert [c.value for c in at.code] == [fixed_key]  # shown once, whole
    assert t("ui_explore.deid_key_shown", lang) in [c.value for c in at.caption]
    state = repr(at.session_state._state.filtered_state)  # what the page keeps for the session
    assert not any(p in state for p in _pieces(fixed_key))
    inside = _unpacked(payload)
    assert not any(p.encode() in inside for p in _pieces(fixed_key))
    assert bytes.fromhex(fixed_key) not in inside
    assert "cohort_deidentified.key" not in downloads  # not asked for
    at.checkbox(key="ex_deid_drop").check().run()  # any rerun: the key is gone from the page
    at.checkbox(key="ex_deid_drop").uncheck().run()
    _ok(at)
    assert not any(p in "\n".join(_texts(at)) for p in _pieces(fixed_key))
    assert not at.code


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_saved_key_links_a_second_extract_and_a_word_is_refused(
    downloads: dict, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The key file is offered only when asked, beside the extract; pasting that key makes a
    second extract (another cohort) in which every shared case has the same pseudonym and the
    same shifted dates; without it the next extract draws another key and nothing matches; a
    typed word is refused with the reason, in ``lang``."""
    import casekit.deid

    drawn = iter([FIXED_KEY, OTHER_KEY])
    monkeypatch.setattr(casekit.deid, "new_key", lambda: next(drawn))
    at = open_app("explore", lang=lang)
    at.multiselect(key="ex_tiers").set_value(["high", "moderate"]).run()
    at.radio(key="ex_view").set_value("export").run()
    at.radio(key="ex_deid_format").set_value("zip").run()
    at.checkbox(key="ex_deid_save_key").check().run()
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    key_file = downloads["cohort_deidentified.key"]
    assert key_file == (FIXED_KEY + "\n").encode()  # the library's key file, offered beside the extract
    assert FIXED_KEY.encode() not in _unpacked(downloads["cohort_deidentified.zip"])
    first = _extract_ids(downloads["cohort_deidentified.zip"], lang)

    at.checkbox(key="ex_deid_save_key").uncheck().run()
    at.text_input(key="ex_deid_key").input(key_file.decode())  # the saved key pasted, the form submitted
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    assert not at.code, [c.value for c in at.code]  # a given key is not shown back
    kept = {k: v for k, v in at.session_state._state.filtered_state.items() if k != "ex_deid_key"}
    assert not any(p in repr(kept) for p in _pieces(FIXED_KEY))  # the field itself is emptied by the
    # browser when the form is submitted (clear_on_submit), which AppTest does not emulate
    assert "cohort_deidentified.key" not in downloads or downloads["cohort_deidentified.key"] == key_file
    again = _extract_ids(downloads["cohort_deidentified.zip"], lang)
    assert again.sort(again.columns[0]).equals(first.sort(first.columns[0]))  # same pseudonyms and shifted dates

    at.multiselect(key="ex_tiers").set_value(["high"]).run()  # a narrower cohort, the same key
    at.text_input(key="ex_deid_key").input(key_file.decode())
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    second = _extract_ids(downloads["cohort_deidentified.zip"], lang)
    assert 0 < second.height < first.height
    # the same pseudonyms (a few cases may be suppressed by k-anonymity in one cohort only)
    assert second[second.columns[0]].is_in(first[first.columns[0]].implode()).mean() >= 0.9

    at.button(key="ex_deid_prepare").click().run()  # no key given: a fresh one, nothing links
    _ok(at)
    assert [c.value for c in at.code] == [OTHER_KEY]
    third = _extract_ids(downloads["cohort_deidentified.zip"], lang)
    assert not set(third[third.columns[0]]) & set(first[first.columns[0]])

    at.text_input(key="ex_deid_key").input("study-42")
    at.button(key="ex_deid_prepare").click().run()
    _ok(at)
    refused = [e.value.replace("\\", "") for e in at.error]  # as written, without Markdown escapes
    assert len(refused) == 1
    assert refused[0].startswith(t("deid.key_refused", lang, why="")[:20])
    assert t("deid.key_not_hex", lang) in refused[0]
    assert not [b for b in at.get("download_button") if b.key == "ex_deid_download"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_caveat_is_beside_a_group_view_of_a_change_in_use_only(lang: str) -> None:
    from casekit.outcomes import rtm_caveat

    caveat = rtm_caveat(lang)
    at = open_app("explore", lang=lang)
    at.selectbox(key="ex_measure").set_value("mean_change").run()
    for measure, shown in (("PHQ-9", 0), ("ed_visits_6m", 1), ("monthly_income", 0), ("monthly_cost", 1)):
        at.selectbox(key="ex_outcome").set_value(measure).run()
        _ok(at)
        assert sum(w.value == caveat for w in at.warning) == shown, measure
    at.selectbox(key="ex_measure").set_value("count").run()  # no before/after: no caveat
    assert not [w for w in at.warning if w.value == caveat]
