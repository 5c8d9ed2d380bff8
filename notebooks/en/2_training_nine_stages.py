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
# # Training session: the nine stages, one client at a time
#
# For the trainer. The session walks one real client through the nine stages (screening,
# assessment, risk stratification, planning, implementation, monitoring, transition,
# post-transition communication and outcome evaluation): what each stage is for, the
# client's rows it looks at, the decision casekit makes and **why**. Then the "what if…?"
# questions: change a PHQ-9 or the follow-up cadence and watch the points, the tier and
# the flags move.
#
# It is the app's **Learn** screen (`casekit.learn`, see `docs/learn.md`). **On your
# data:** change `SOURCE` and run everything; the example clients are picked by rules on
# casekit's results, not by their number.

# %%
# The one thing to change: where the data comes from.
#   "sample"                    → the bundled sample (500 synthetic cases, as of 2026-09-30)
#   "data/team.xlsx"            → your workbook (.xlsx, .xlsm, .ods) or a folder of CSV/Parquet
#   "casekit.db"                → your workspace (or "postgresql+psycopg://user@host/db")
SOURCE = "sample"
AS_OF = None  # None: 2026-09-30 for the sample, today for your data; or a date, e.g. "2026-10-31"
OUTPUT = "output"  # folder where the printable handouts are saved

# %%
from pathlib import Path

import polars as pl
from IPython.display import Markdown, display

import casekit as ck
from casekit import charts, learn, present
from casekit.stages import stage_label

LANG = "en"
caseload = ck.open_caseload(SOURCE, as_of=AS_OF, lang=LANG)
result, as_of = caseload.result, caseload.as_of
output = Path(OUTPUT)
output.mkdir(parents=True, exist_ok=True)
print(f"Data: {caseload.source} — as of {present.format_date(as_of, LANG)}")


def show_stage(step: learn.StageStep) -> None:
    """A stage as on the Learn screen: what it is for, the decision, why, and the client's rows."""
    reasons = "\n".join(f"- {reason}" for reason in step.reasons(LANG))
    display(
        Markdown(
            f"### {step.number}. {stage_label(step.stage, LANG)}\n\n*{step.purpose(LANG)}*\n\n"
            f"**{step.headline(LANG)}**\n\n{reasons}"
        )
    )
    for rows in step.data.values():
        display(present.readable(rows, LANG))


# %% [markdown]
# ## The example clients
#
# One real client per typical path: smooth, high risk, stalled before planning, missed
# appointments, no call after the transition, readmitted. Paths with no example in the
# data are left out.

# %%
picked = learn.curated_clients(result, as_of=as_of)
picked.select("path", "case_id", "label_en")


# %%
def client(path: str) -> str:
    """The case picked for a path (or the first one listed when that path is missing)."""
    row = picked.filter(pl.col("path") == path)
    return (row if row.height else picked)["case_id"][0]


case = client("high_risk")
steps = learn.walkthrough(result, case, as_of=as_of)
print(f"Client {case}: " + " → ".join(f"{s.number} {s.state}" for s in steps))

# %% [markdown]
# ## The nine stages
#
# `state` says whether the stage is done (`done`), is where the client is or stopped
# (`current`), or lies ahead (`ahead`).

# %%
show_stage(steps[0])  # 1. screening

# %%
show_stage(steps[1])  # 2. assessment

# %%
show_stage(steps[2])  # 3. risk stratification
charts.factors_chart(ck.score_risk(result, as_of=as_of), case, lang=LANG)

# %%
show_stage(steps[3])  # 4. planning

# %%
show_stage(steps[4])  # 5. implementation

# %%
show_stage(steps[5])  # 6. monitoring
charts.calendar_chart(result, case, lang=LANG, as_of=as_of)

# %%
show_stage(steps[6])  # 7. transition

# %%
show_stage(steps[7])  # 8. post-transition communication

# %%
show_stage(steps[8])  # 9. outcome evaluation

# %% [markdown]
# ## What if…? Risk
#
# `what_if_risk` changes a value of the client's **latest assessment** (the one
# `score_risk` scores) and scores it again with the same model: which factors move, the
# new score, which threshold it crosses and whether a red flag appears. Nothing is saved.

# %%
learn.recorded_inputs(result, case, ["phq9", "phq9_item9", "gad7", "systolic_bp", "diastolic_bp"], as_of=as_of)

# %%
no_depression = learn.what_if_risk(result, case, {"phq9": 0}, as_of=as_of)
print(f"Computed tier: {no_depression.before['computed_tier']} → {no_depression.after['computed_tier']}")
for sentence in no_depression.explanation(LANG):
    print("·", sentence)
no_depression.factors.filter(pl.col("points_before") != pl.col("points_after")).drop("factor", "factor_es")

# %% [markdown]
# PHQ-9 item 9 (thoughts of self-harm) is a red flag: it forces the high tier whatever
# the points.

# %%
red_flag = learn.what_if_risk(result, case, {"phq9": 0, "phq9_item9": 2}, as_of=as_of)
for sentence in red_flag.explanation(LANG):
    print("·", sentence)

# %% [markdown]
# ## What if…? The process rules
#
# `what_if_process` changes a rule (deadlines, follow-up cadence per tier, the window after
# a transition; `learn.RULES`) for this question only and works out the client's status
# again: which flags clear, appear or change due date, and why.
#
# First, the client with missed appointments, with a much longer follow-up cadence for
# their tier: the overdue follow-up clears.

# %%
status = ck.case_status(result, as_of=as_of)
missed_case = client("missed_appointments")
tier = status.filter(pl.col("case_id") == missed_case)["effective_tier"][0] or "low"
longer = learn.what_if_process(result, missed_case, {f"cadence_{tier}": 180}, as_of=as_of)
for sentence in longer.explanation(LANG):
    print("·", sentence)
present.readable(longer.flags, LANG)

# %% [markdown]
# Now the other way round: a client in monitoring who is up to date, with a one-week
# cadence. If their last attended contact is more than seven days old, the flag appears.

# %%
up_to_date = status.filter(
    (pl.col("current_stage") == "monitoring")
    & pl.col("effective_tier").is_not_null()
    & ~pl.col("flags").list.contains("follow_up_overdue")
).sort("case_id")
if up_to_date.height == 0:
    print("No client in monitoring and up to date in this data.")
else:
    case_up_to_date, its_tier = (
        up_to_date.row(0, named=True)["case_id"],
        up_to_date.row(0, named=True)["effective_tier"],
    )
    shorter = learn.what_if_process(result, case_up_to_date, {f"cadence_{its_tier}": 7}, as_of=as_of)
    print(f"Client {case_up_to_date}: appear {shorter.appeared}, clear {shorter.cleared}")
    for sentence in shorter.explanation(LANG):
        print("·", sentence)

# %% [markdown]
# ## Handouts to print
#
# Each stage fits on one A4 page (`learn.stage_handout_html`); the whole walkthrough is
# nine pages. Open the file in a browser and print it.

# %%
handout = output / f"walkthrough_{case}.html"
handout.write_text(learn.walkthrough_handout_html(steps, lang=LANG), encoding="utf-8")
print(handout, f"{handout.stat().st_size:,} bytes")
