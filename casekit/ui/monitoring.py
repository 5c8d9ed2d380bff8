"""What the Implementation & monitoring screen (stages 5–6) shows, computed here so the
page only draws.

Small pure polars functions over :func:`casekit.worklist`, :func:`casekit.flags_long`,
the case status and the ``contacts`` sheet: the worklist filtered by case manager and
flag (its urgency order kept), missed appointments, attendance by kind of contact, and
overdue follow-ups by risk tier with each tier's cadence (over the open assessed cases
of the tier). Ids stay ids: the screen's tables read them through the presentation layer
(:func:`casekit.present.readable`, in ``casekit.ui.widgets.table``); only the worklist's
priority gets its label here (:func:`worklist_view`).

Examples
--------
>>> import datetime as dt
>>> wl = pl.DataFrame({"case_id": ["A", "B"], "case_manager": ["Ana", "Bo"], "flag": ["plan_overdue",
...                    "missed_appointment"], "days_overdue": [9, 3]})
>>> filter_worklist(wl, managers=["Bo"])["case_id"].to_list()
['B']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from casekit.present import vocabulary
from casekit.stages import FLAGS, ProcessConfig

if TYPE_CHECKING:
    from casekit.risk.model import RiskModel

__all__ = [
    "CONTACT_STATUSES",
    "attendance_by_kind",
    "filter_worklist",
    "follow_up_by_tier",
    "missed_appointments",
    "overall_rate",
    "worklist_flags",
    "worklist_managers",
    "worklist_priorities",
    "worklist_rows",
    "worklist_view",
]

#: Contact statuses counted in the attendance table (the rate uses attended and missed).
CONTACT_STATUSES = ("attended", "missed", "scheduled", "cancelled")
TIERS = ("low", "moderate", "high")


# -- the worklist ------------------------------------------------------------------------


def worklist_managers(worklist: pl.DataFrame) -> list[str]:
    """Case managers with at least one row in the worklist, alphabetically.

    >>> worklist_managers(pl.DataFrame({"case_manager": ["Bo", "Ana", None, "Bo"]}))
    ['Ana', 'Bo']
    """
    return worklist["case_manager"].drop_nulls().unique().sort().to_list()


def worklist_flags(worklist: pl.DataFrame) -> list[str]:
    """Kinds of flag present in the worklist, in the engine's flag order.

    >>> worklist_flags(pl.DataFrame({"flag": ["goal_overdue", "plan_overdue", "goal_overdue"]}))
    ['plan_overdue', 'goal_overdue']
    """
    present = set(worklist["flag"].drop_nulls().unique().to_list())
    return [f for f in FLAGS if f in present]


def worklist_priorities(worklist: pl.DataFrame) -> list[int]:
    """Priorities present in the worklist (1 safety … 6 data), in order.

    >>> worklist_priorities(pl.DataFrame({"priority": [4, 1, 4]}))
    [1, 4]
    """
    return sorted(worklist["priority"].drop_nulls().unique().to_list()) if "priority" in worklist.columns else []


def filter_worklist(
    worklist: pl.DataFrame,
    *,
    managers: Sequence[str] = (),
    flags: Sequence[str] = (),
    priorities: Sequence[int] = (),
) -> pl.DataFrame:
    """The worklist rows of ``managers``, of the kinds ``flags`` and of ``priorities``
    (empty: no filter on that), in the worklist's own triage order."""
    keep = pl.lit(value=True)
    if managers:
        keep = keep & pl.col("case_manager").is_in(list(managers))
    if flags:
        keep = keep & pl.col("flag").is_in(list(flags))
    if priorities:
        keep = keep & pl.col("priority").is_in(list(priorities))
    return worklist.filter(keep)


def worklist_rows(worklist: pl.DataFrame, *, lang: str | None = None) -> pl.DataFrame:
    """The worklist's rows for people: the priority as its label (``priority_label``, in its
    place), everything else as computed (ids, dates, numbers), for :func:`casekit.present.readable`
    to read once (the screen's table, the printable page).

    >>> wl = pl.DataFrame({"priority": [1], "case_id": ["A"], "days_overdue": [1204]})
    >>> worklist_rows(wl, lang="es").rows(named=True)
    [{'priority_label': '1 · Seguridad', 'case_id': 'A', 'days_overdue': 1204}]
    """
    from casekit.stages import priority_label

    if "priority" not in worklist.columns:
        return worklist
    names = {n: priority_label(n, lang) for n in range(1, 7)}
    label = pl.col("priority").replace_strict(names, default=None, return_dtype=pl.String)
    rows = worklist.with_columns(label).rename({"priority": "priority_label"})
    first = [c for c in TO_DO_FIRST if c in rows.columns]
    return rows.select(*first, pl.exclude(first))


#: The worklist's columns for people start with what to do (who, what, by when), so that
#: the flag is in view at 1280 px; the case's tier, manager, programme and stage follow.
TO_DO_FIRST = ("priority_label", "case_id", "client_name", "flag", "detail", "due_on", "days_overdue")


def worklist_view(worklist: pl.DataFrame, *, lang: str | None = None, model: RiskModel | None = None) -> pl.DataFrame:
    """The worklist as a person reads it (:func:`worklist_rows` through
    :func:`casekit.present.readable`): priority, tier, stage, flag and detail labels,
    translated headers. ``model``: the risk model in use, whose red flags on a team's own
    columns are named in the detail by their label in the model.

    >>> wl = pl.DataFrame({"priority": [1], "case_id": ["A"], "current_stage": ["planning"],
    ...     "flag": ["safety_red_flag"], "detail": [["self_harm_thoughts"]]})
    >>> worklist_view(wl, lang="en").rows(named=True)  # doctest: +NORMALIZE_WHITESPACE
    [{'Priority': '1 · Safety', 'Case': 'A', 'Flag': 'Safety red flag without a recorded action',
      'Detail': 'Thoughts of self-harm (PHQ-9 item 9)', 'Current stage': 'Planning'}]
    """
    from casekit import present

    return present.readable(worklist_rows(worklist, lang=lang), lang, model=model)


def worklist_print_html(
    shown: pl.DataFrame,
    *,
    lang: str,
    as_of: dt.date,
    source: str,
    total: int,
    model: RiskModel | None = None,
) -> str:
    """The worklist shown (filters applied) as a printable A4 page: the screen's own table
    (:func:`worklist_view`), with the source, the as-of date and how many rows it holds.

    >>> wl = pl.DataFrame({"priority": [1], "case_id": ["A"], "flag": ["safety_red_flag"]})
    >>> page = worklist_print_html(wl, lang="es", as_of=dt.date(2026, 9, 30), source="equipo.db", total=3)
    >>> "Lista de trabajo" in page, "30/09/2026" in page, "1 de 3 filas" in page, "sin acción de seguridad" in page
    (True, True, True, True)
    """
    from casekit import present
    from casekit.i18n import t

    subtitle = t(
        "ui_monitoring.print_subtitle",
        lang,
        source=source,
        as_of=present.format_date(as_of, lang),
        shown=present.format_number(shown.height, lang),
        total=present.format_number(total, lang),
    )
    return present.printable_html(
        worklist_view(shown, lang=lang, model=model),
        title=t("ui_monitoring.worklist_title", lang),
        lang=lang,
        subtitle=subtitle,
        footer=t("ui_monitoring.print_footer", lang),
        empty=t("ui_monitoring.worklist_filtered_empty", lang),
    )


# -- missed appointments -----------------------------------------------------------------


def missed_appointments(flags: pl.DataFrame, contacts: pl.DataFrame | None = None) -> pl.DataFrame:
    """Open ``missed_appointment`` flags, the oldest first: ``case_id, case_manager,
    program, current_stage, effective_tier, missed_on, kind, days_since``.

    ``flags`` is :func:`casekit.flags_long` (one row per open flag; ``missed_on`` is the
    flag's date: the first missed contact not followed by an attended one); ``kind`` is
    the kind of that missed contact, from ``contacts`` when given.

    >>> fl = pl.DataFrame({"case_id": ["A", "B"], "flag": ["missed_appointment", "plan_overdue"],
    ...     "due_on": [dt.date(2026, 9, 1)] * 2, "as_of": [dt.date(2026, 9, 30)] * 2})
    >>> con = pl.DataFrame({"case_id": ["A"], "contact_on": [dt.date(2026, 9, 1)], "kind": ["follow_up"],
    ...                     "status": ["missed"]})
    >>> missed_appointments(fl, con).select("case_id", "missed_on", "kind", "days_since").rows()
    [('A', datetime.date(2026, 9, 1), 'follow_up', 29)]
    """
    columns = {
        "case_manager": pl.String(),
        "program": pl.String(),
        "current_stage": pl.String(),
        "effective_tier": pl.String(),
        "as_of": pl.Date(),
    }
    frame = flags.lazy().with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in columns.items() if name not in flags.columns
    )
    if contacts is not None and {"case_id", "contact_on", "kind", "status"} <= set(contacts.columns):
        kinds = vocabulary("contact_kind", "en")
        order = pl.col("kind").replace_strict({k: i for i, k in enumerate(kinds)}, default=len(kinds))
        missed = (
            contacts.lazy()
            .filter(pl.col("status") == "missed")
            .group_by("case_id", pl.col("contact_on").alias("due_on"))
            .agg(pl.col("kind").sort_by(order).first())
        )
    else:
        missed = pl.LazyFrame(schema={"case_id": pl.String(), "due_on": pl.Date(), "kind": pl.String()})
    return (
        frame.filter(pl.col("flag") == "missed_appointment")
        .join(missed, on=["case_id", "due_on"], how="left")
        .with_columns(days_since=(pl.col("as_of") - pl.col("due_on")).dt.total_days())
        .sort("due_on", "case_id", nulls_last=True)
        .select(
            "case_id",
            "case_manager",
            "program",
            "current_stage",
            "effective_tier",
            pl.col("due_on").alias("missed_on"),
            "kind",
            "days_since",
        )
        .collect()
    )


# -- attendance ----------------------------------------------------------------------------


def attendance_by_kind(contacts: pl.DataFrame | None, *, as_of: dt.date | None = None) -> pl.DataFrame:
    """Contacts by kind and status, and the attendance rate attended / (attended + missed):
    ``kind, attended, missed, scheduled, cancelled, contacts, rate`` (kinds in the
    vocabulary's order; kinds with neither attended nor missed contacts left out, as in
    :func:`casekit.charts.attendance_chart`; contacts after ``as_of`` left out).

    >>> con = pl.DataFrame({"kind": ["appointment"] * 4, "status": ["attended", "attended", "missed", "cancelled"]})
    >>> attendance_by_kind(con).select("kind", "attended", "missed", "contacts", "rate").rows()
    [('appointment', 2, 1, 4, 0.6666666666666666)]
    """
    schema = {"kind": pl.String(), **dict.fromkeys(CONTACT_STATUSES, pl.Int64()), "contacts": pl.Int64()}
    if contacts is None or not {"kind", "status"} <= set(contacts.columns):
        return pl.DataFrame(schema={**schema, "rate": pl.Float64()})
    lf = contacts.lazy()
    if as_of is not None and "contact_on" in contacts.columns:
        lf = lf.filter(pl.col("contact_on") <= as_of)
    kinds = vocabulary("contact_kind", "en")
    attended, missed = pl.col("attended"), pl.col("missed")
    return (
        lf.filter(pl.col("kind").is_not_null())
        .group_by("kind")
        .agg(
            *[(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in CONTACT_STATUSES],
            pl.len().cast(pl.Int64).alias("contacts"),
        )
        .filter(attended + missed > 0)
        .with_columns(rate=attended / (attended + missed))
        .sort(pl.col("kind").replace_strict({k: i for i, k in enumerate(kinds)}, default=len(kinds)), "kind")
        .collect()
    )


def overall_rate(attendance: pl.DataFrame) -> float | None:
    """Attendance over all kinds: attended / (attended + missed) (``None`` with no such contact).

    >>> overall_rate(pl.DataFrame({"attended": [2, 1], "missed": [1, 0]}))
    0.75
    """
    attended, missed = int(attendance["attended"].sum()), int(attendance["missed"].sum())
    return attended / (attended + missed) if attended + missed else None


# -- follow-ups overdue by tier ------------------------------------------------------------


def follow_up_by_tier(status: pl.DataFrame, config: ProcessConfig) -> pl.DataFrame:
    """Open ``follow_up_overdue`` flags by risk tier, with each tier's follow-up cadence:
    ``tier, cadence_days, open_assessed, follow_up_overdue, share_overdue`` (the three
    tiers always, low → high).

    The follow-up cadence applies to every open case that has an assessment, whatever
    its stage (``docs/process_rules.md``), so ``open_assessed`` counts those cases (an
    assessment up to the as-of date: ``last_assessed_on``) and the share is over them: at
    most 100 %. A case without an effective tier has its deadlines on the configured
    default tier, so it is counted there, as the engine does.

    >>> d = dt.date(2026, 9, 1)
    >>> status = pl.DataFrame({"current_stage": ["monitoring", "transition", "monitoring", "closed", "planning"],
    ...     "effective_tier": ["high", "high", None, "high", None], "last_assessed_on": [d, d, d, d, None],
    ...     "flags": [["follow_up_overdue"], [], ["follow_up_overdue"], [], ["plan_overdue"]]})
    >>> follow_up_by_tier(status, ProcessConfig()).rows()
    [('low', 60, 0, 0, None), ('moderate', 30, 1, 1, 1.0), ('high', 14, 2, 1, 0.5)]
    """
    tier = pl.coalesce(pl.col("effective_tier").cast(pl.String), pl.lit(config.default_tier))
    is_open = pl.col("current_stage").ne_missing("closed")
    counts = (
        status.lazy()
        .select(
            tier.alias("tier"),
            (is_open & pl.col("last_assessed_on").is_not_null()).alias("_assessed"),
            (is_open & pl.col("flags").list.contains("follow_up_overdue")).alias("_overdue"),
        )
        .group_by("tier")
        .agg(
            pl.col("_assessed").sum().cast(pl.Int64).alias("open_assessed"),
            pl.col("_overdue").sum().cast(pl.Int64).alias("follow_up_overdue"),
        )
    )
    tiers = pl.LazyFrame(
        {"tier": list(TIERS), "cadence_days": [config.cadence(t) for t in TIERS], "_n": list(range(len(TIERS)))},
        schema={"tier": pl.String(), "cadence_days": pl.Int64(), "_n": pl.Int64()},
    )
    assessed = pl.col("open_assessed")
    return (
        tiers.join(counts, on="tier", how="left")
        .with_columns(pl.col("open_assessed", "follow_up_overdue").fill_null(0))
        .with_columns(share_overdue=pl.when(assessed > 0).then(pl.col("follow_up_overdue") / assessed))
        .sort("_n")
        .drop("_n")
        .collect()
    )
