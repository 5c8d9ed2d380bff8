# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A research question: how long does it take to have a plan?
#
# **Question.** Does the time from opening the case to a complete plan (stage 4) differ
# by risk tier and by programme?
#
# The notebook follows the path of a paper: the cohort (one row per case), the measure and
# its distribution, a non-parametric test, two cohorts compared on outcomes (A vs B), a
# de-identified extract with its k-anonymity report for sharing, the event log for process
# mining, and the figures as SVG.
#
# Everything comes from `casekit.cohort` and `casekit.deidentify` (see `docs/explore.md`
# and `docs/deidentification.md`). **On your data:** change `SOURCE` and run everything.

# %%
# The one thing to change: where the data comes from.
#   "sample"                    → the bundled sample (500 synthetic cases, as of 2026-09-30)
#   "data/team.xlsx"            → your workbook (.xlsx, .xlsm, .ods) or a folder of CSV/Parquet
#   "casekit.db"                → your workspace (or "postgresql+psycopg://user@host/db")
SOURCE = "sample"
AS_OF = None  # None: 2026-09-30 for the sample, today for your data; or a date, e.g. "2026-10-31"
OUTPUT = "output"  # folder for the extract, the event log and the figures

# %%
from pathlib import Path

import polars as pl
from IPython.display import display
from scipy import stats

import casekit as ck
from casekit import charts, present
from casekit import cohort as co

LANG = "en"
caseload = ck.open_caseload(SOURCE, as_of=AS_OF, lang=LANG)
result, as_of = caseload.result, caseload.as_of
output = Path(OUTPUT)
output.mkdir(parents=True, exist_ok=True)
print(f"Data: {caseload.source} — as of {present.format_date(as_of, LANG)}")

# %% [markdown]
# ## 1. The cohort
#
# One row per case opened by the as-of date: programme, case manager, effective risk tier
# (after reviews; blank until assessed), current stage, sex, age band and the day the case
# entered each stage by casekit's rules.

# %%
cohort = co.cohort_frame(result, as_of=as_of)
print(f"{cohort.height} cases")
cohort.select("case_id", "program", "effective_tier", "current_stage", "opened_on", "entered_planning").head()

# %% [markdown]
# ## 2. Days to plan, by tier and programme
#
# `group_measure(..., measure="median_days", to_stage="planning")`: median days from opening
# to entering the planning stage, over the `n` cases that got there (of `n_cases`). Mind
# that cases without a plan yet are left out (right-censoring): a low median in a group
# with few plans says little. With `for_sharing=True` groups of 1 to 10 cases are blanked:
# that is the table to publish.

# %%
by_tier = co.group_measure(cohort, by="effective_tier", measure="median_days", to_stage="planning")
present.readable(by_tier, LANG)

# %%
by_programme = co.group_measure(cohort, by="program", measure="median_days", to_stage="planning")
present.readable(by_programme, LANG)

# %%
table = co.group_measure(
    cohort, by=["effective_tier", "program"], measure="median_days", to_stage="planning", for_sharing=True
)
present.readable(table, LANG)

# %% [markdown]
# ### Is the difference larger than chance?
#
# Days to plan are skewed: a Kruskal–Wallis (rank) test between tiers and between
# programmes, on each case's days (`co.days_between`, the very values whose median the
# table gives).

# %%
days = cohort.with_columns(co.days_between("planning")).filter(pl.col("days_to_planning").is_not_null())
for group in ("effective_tier", "program"):
    samples = [g["days_to_planning"].to_numpy() for _, g in days.group_by(group, maintain_order=True)]
    test = stats.kruskal(*samples)
    print(f"{group}: H = {test.statistic:.2f}, p = {test.pvalue:.3f} ({len(samples)} groups, {days.height} cases)")

# %% [markdown]
# ## 3. Cohort A vs B
#
# A: the programme with most cases; B: the others. Compared on the outcome measures (paired
# cases, % improved, mean change) and the time to plan. For sharing, `suppressed()` blanks
# the small counts of each cohort.

# %%
largest = cohort.group_by("program").len().sort(["len", "program"], descending=[True, False])["program"][0]
a = co.CohortFilter(programs=(largest,)).apply(cohort)
b = cohort.filter(~pl.col("case_id").is_in(a["case_id"].implode()))
comparison = co.compare_cohorts(a, b)
print(f"A: {largest} ({a.height} cases) · B: the rest ({b.height} cases)")
present.readable(comparison.suppressed().time_to_plan, LANG)

# %%
present.readable(comparison.suppressed().outcomes, LANG)

# %%
figure_ab = charts.compare_chart(comparison.outcomes, measure="pct_improved", lang=LANG)
figure_ab

# %% [markdown]
# ## 4. A de-identified extract, with its k-anonymity report
#
# `deidentify` removes names and free text, replaces identifiers with keyed pseudonyms,
# shifts all the dates of a case by the same number of weeks (intervals, such as the days
# to plan, are kept) and generalises or suppresses until every combination of age band,
# sex, ethnicity, language, programme and year is shared by at least 5 people.
#
# The key decides the pseudonyms and shifts. On the sample a fixed key is used (the example
# is the same every time); on your data, a fresh random one: keep it apart if you will link
# extracts, and never with the extract.

# %%
SAMPLE_KEY = "6a1f0e7c9b2d4c38a5e1f7b3d9c2e4a60b8d1f3e5c7a9b2d4f6e8a0c1e3b5d7f"
extract = ck.deidentify(result, key=SAMPLE_KEY if SOURCE == "sample" else None, as_of=as_of)
print(extract.anonymity_line(LANG))
extract.anonymity

# %%
extract.explain_steps(LANG)

# %%
extract.explain(LANG)

# %%
extract_folder = extract.write(output / "extract", lang=LANG)  # Parquet, one file per sheet
sorted(p.name for p in extract_folder.iterdir())

# %% [markdown]
# ## 5. The event log for process mining
#
# One event per dated fact (opening, screening, assessment, goals, contacts, transitions,
# measures, closing) in XES columns (`case:concept:name`, `concept:name`,
# `time:timestamp`), as CSV and Parquet for pm4py, ProM, Disco or Celonis. It is taken
# **from the de-identified extract**: pseudonyms and shifted dates (intervals between
# stages kept), so the log can leave the team just as the extract can.

# %%
events = ck.events(extract.data)
ck.write_event_log(events, output / "event_log.csv")
ck.write_event_log(events, output / "event_log.parquet")
print(f"{events.height} events of {events['case_id'].n_unique()} cases")
ck.to_process_mining(events).head()

# %% [markdown]
# pm4py (AGPL-3.0 licence) is not a dependency of casekit: it comes with
# `pip install -e ".[notebooks]"`. Without it, this cell says so and carries on.

# %%
import os

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")  # no progress bars in the notebook
try:
    import pm4py
except ImportError:
    pm4py = None
    print('pm4py is not installed: pip install -e ".[notebooks]". The log is already saved as CSV and Parquet.')
if pm4py is not None:
    log = pm4py.format_dataframe(
        ck.to_process_mining(events).to_pandas(),
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    dfg, starts, ends = pm4py.discover_dfg(log)
    pm4py.write_xes(log, str(output / "event_log.xes"))
    steps = pl.DataFrame({"from": [x for x, _ in dfg], "to": [y for _, y in dfg], "times": list(dfg.values())})
    display(steps.sort("times", descending=True).head(15))

# %% [markdown]
# ## 6. The figures, as SVG
#
# For the paper: days to plan by tier and by programme, and A vs B. SVG scales without
# losing quality; `charts.save_chart` writes PNG too.

# %%
figure_tier = charts.cohort_chart(by_tier, by="effective_tier", measure="median_days", lang=LANG)
figure_programme = charts.cohort_chart(by_programme, by="program", measure="median_days", lang=LANG)
figures = {"days_to_plan_tier": figure_tier, "days_to_plan_programme": figure_programme, "a_vs_b": figure_ab}
for name, figure in figures.items():
    charts.save_chart(figure, output / f"{name}.svg", lang=LANG)
display(figure_tier, figure_programme)
sorted(p.name for p in output.glob("*.svg"))
