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
# # Monthly review of a pilot
#
# For the programme manager: in one pass, the state of the data, the funnel of the nine
# stages and the time in each, the worklist by priority and case manager, overdue
# follow-ups by risk tier, the outcomes that improved (with their confidence interval),
# use of services per member-month before and after, and the one-page summary for the funder.
#
# **To use it on your data:** change `SOURCE` in the next cell and run everything
# (*Run → Run All Cells*). Every figure comes from casekit's functions: the rules
# (deadlines, flags, improvement, small-cell suppression) live in the package, not here.

# %%
# The one thing to change: where the data comes from.
#   "sample"                    → the bundled sample (500 synthetic cases, as of 2026-09-30)
#   "data/team.xlsx"            → your workbook (.xlsx, .xlsm, .ods) or a folder of CSV/Parquet
#   "casekit.db"                → your workspace (or "postgresql+psycopg://user@host/db")
SOURCE = "sample"
AS_OF = None  # None: 2026-09-30 for the sample, today for your data; or a date, e.g. "2026-10-31"
OUTPUT = "output"  # folder where the one-page summary and the report are saved

# %%
from pathlib import Path

import polars as pl
from IPython.display import Markdown, display

import casekit as ck
from casekit import charts, present
from casekit.outcomes import rtm_caveat
from casekit.report import build_report
from casekit.risk import TIERS
from casekit.summary import summary_sections
from casekit.summary_pdf import format_cell, summary_pdf

LANG = "en"
caseload = ck.open_caseload(SOURCE, as_of=AS_OF, lang=LANG)
result, as_of = caseload.result, caseload.as_of
output = Path(OUTPUT)
output.mkdir(parents=True, exist_ok=True)
print(f"Data: {caseload.source} — as of {present.format_date(as_of, LANG)}")

# %% [markdown]
# ## 1. Validation status
#
# Rows with errors are quarantined (left out of the stage logic, counted); warnings are
# only reported. The table summarises the report by sheet and check.

# %%
quarantined = {sheet: rows.height for sheet, rows in result.quarantined.items() if rows.height}
print(f"Errors: {result.n_errors} · warnings: {result.n_warnings} · rows quarantined: {quarantined or 0}")
by_check = result.report.group_by("sheet", "check", "severity").agg(rows=pl.len())
present.readable(by_check.sort("rows", descending=True), LANG, headers={"rows": "Rows"})

# %% [markdown]
# ## 2. Funnel and time in each stage
#
# `build_report` computes once everything the report and the one-page summary show
# (where each case stands, the worklist, risk, outcomes, use of services).

# %%
report = build_report(result, as_of=as_of, lang=LANG)
status = report.sheets["status"]
present.readable(ck.funnel(status), LANG)

# %%
charts.funnel_chart(status, lang=LANG)

# %%
present.readable(ck.time_in_stage(status), LANG)

# %%
charts.durations_chart(ck.stage_durations(ck.stage_entries(result, as_of=as_of)), lang=LANG)

# %% [markdown]
# ## 3. Worklist by priority and case manager
#
# One row per open flag. Priorities: 1 safety, 2 transitions, 3 contact, 4 deadlines,
# 5 closed-case housekeeping, 6 data; within each, high tier first.
# First, how many flags each case manager has in each priority:

# %%
worklist = report.sheets["worklist"]
by_manager = worklist.pivot(
    "priority", index="case_manager", values="case_id", aggregate_function="len", sort_columns=True
)
by_manager.fill_null(0).sort("case_manager")

# %%
present.readable(worklist.head(10), LANG)

# %%
charts.flags_by_manager_chart(status, lang=LANG)

# %% [markdown]
# ## 4. Overdue follow-ups by risk tier
#
# The `follow_up_overdue` flag is raised when the last attended contact plus the tier's
# cadence (14/30/60 days for high/moderate/low by default) has passed.

# %%
overdue = ck.flags_long(status).filter(pl.col("flag") == "follow_up_overdue")
by_tier = overdue.group_by("effective_tier").agg(cases=pl.len()).sort(pl.col("effective_tier").cast(pl.Enum(TIERS)))
present.readable(by_tier, LANG, headers={"cases": "Cases"})

# %% [markdown]
# ## 5. Outcomes that improved
#
# Each paired measure (baseline → latest follow-up); "improved" means beyond the minimal
# clinically important difference where the catalogue has one. Mean change with its 95 %
# confidence interval. Groups of 1 to 10 cases are blanked.

# %%
outcomes = ck.outcome_summary(result, by=["measure"], as_of=as_of)
present.readable(
    outcomes.select(
        "measure", "n_paired", "mean_change", "ci_low", "ci_high", "pct_improved", "pct_improved_any", "suppressed"
    ),
    LANG,
)

# %%
charts.outcomes_chart(outcomes, lang=LANG)

# %% [markdown]
# ## 6. Use of services per member-month, before and after
#
# ED visits and admissions per 1,000 member-months and cost per member per month, in
# windows that never overlap. Always read it with the caveat:

# %%
print(rtm_caveat(LANG))
present.readable(ck.utilisation_rate_summary(result, as_of=as_of), LANG)

# %%
charts.utilisation_chart(ck.utilisation_summary(result, as_of=as_of), lang=LANG)

# %% [markdown]
# ## 7. The page for the funder
#
# One A4 page with the report's own figures; counts of 1 to 10 people are blanked
# (`for_sharing=True`). The full report, in Excel, is for the team.

# %%
for section in summary_sections(report, lang=LANG):  # what the page prints (for_sharing=True)
    rows = [[row.label, *(format_cell(cell, LANG) for cell in row.cells)] for row in section.rows]
    display(Markdown(f"**{section.title}**"), pl.DataFrame(rows, schema=[" ", *section.headers], orient="row"))

# %%
pdf = summary_pdf(report, output / "funder_summary.pdf", lang=LANG)
xlsx = ck.write_report(report, output / "report.xlsx", as_of=as_of, lang=LANG, charts=False)
sorted(p.name for p in output.iterdir())
