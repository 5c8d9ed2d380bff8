"""Obligations that run for every open case whatever its stage (issue 12, docs/process_rules.md).

- :func:`client_contact`: an attended contact with the client (rule 1);
- :func:`window_end`: the last day of a transition's post-transition window (rule 4);
- :func:`transition_checks`: every transition with its first qualifying client contact
  and its ``within``/``late``/``open``/``missing`` status (rule 4);
- :func:`red_flag_dates`: per case, the date each red flag of the risk model was last
  raised (latest record with a value for its input; a blank never clears it) (rule 3);
- :func:`open_red_flags`: per case, the red flags still open on a day (raised, and no
  risk review on or after the raising records a safety action) (rule 3);
- :func:`readmission_events`: admissions into a readmission level within the window
  after a discharge or step-down from one (rule 5).

Examples
--------
>>> cfg = load_process_config()
>>> df = pl.DataFrame({"on": [dt.date(2026, 10, 2)] * 3, "kind": ["discharge", "step_down", None]})
>>> df.select(window_end(pl.col("on"), pl.col("kind"), cfg))["on"].to_list()  # a Friday
[datetime.date(2026, 10, 6), datetime.date(2026, 10, 9), datetime.date(2026, 10, 6)]
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from casekit._case_index import INDEX_DTYPE, id_dtype
from casekit._frames import max_where, sheet
from casekit.contract import ROW, SHEETS
from casekit.data import CaseData
from casekit.stages._config import ProcessConfig, load_process_config

if TYPE_CHECKING:
    from casekit.risk.model import RiskModel

__all__ = [
    "CONTACT_CATEGORIES",
    "CONTACT_COLUMNS",
    "TX_COLUMNS",
    "client_contact",
    "open_red_flags",
    "readmission_events",
    "red_flag_dates",
    "red_flag_open",
    "red_flag_parts",
    "safety_review_on",
    "transition_checks",
    "window_end",
]

#: Contact columns the obligations read.
CONTACT_COLUMNS = ["case_id", "contact_on", "kind", "with_whom", "status"]
#: Of those, the category columns the rules compare only (``==``, ``is_in``): read as their
#: ``pl.Enum`` when the sheet holds it (:func:`casekit._frames.sheet`'s ``enums``).
CONTACT_CATEGORIES = ("kind", "with_whom", "status")
#: Transition columns the obligations read.
TX_COLUMNS = ["transition_id", "case_id", "transition_on", "from_level", "to_level", "kind", ROW]
_KEY = 2**32  # date (days) * _KEY + spreadsheet row: one sortable integer per record


def client_contact(cfg: ProcessConfig) -> pl.Expr:
    """An attended contact with the client: ``with_whom`` in ``[client_contact] with_whom``
    (a blank counts as ``client``).

    >>> co = pl.DataFrame({"status": ["attended"] * 3 + ["missed"], "with_whom": ["client", None, "insurer", "client"]})
    >>> co.select(client_contact(load_process_config()))["status"].to_list()
    [True, True, False, False]
    """
    with_client = (
        pl.col("with_whom").is_in(list(cfg.client_contact_with)).fill_null("client" in cfg.client_contact_with)
    )
    return (pl.col("status") == "attended") & with_client


def window_end(on: pl.Expr, kind: pl.Expr, cfg: ProcessConfig) -> pl.Expr:
    """Last day (inclusive) of the post-transition window of a transition on ``on`` of ``kind``.

    The transition day is day 0. Kinds in ``business_day_kinds`` count Monday–Friday minus
    ``holidays`` (a transition on a weekend or holiday counts from the next business day);
    the others count calendar days. A transition without a kind gets the shortest window.
    """
    windows = cfg.windows()
    days = kind.replace_strict(windows, default=min(windows.values()), return_dtype=pl.Int32)
    calendar = on + pl.duration(days=days)
    business = on.dt.add_business_days(days, holidays=list(cfg.holidays), roll="backward")
    in_business = kind.is_in(list(cfg.business_day_kinds)).fill_null(value=False)
    if not cfg.business_day_kinds:
        return calendar
    # a blank kind takes the shortest window, counted in business days when that kind is
    shortest = min(windows, key=lambda k: windows[k])
    blank_business = kind.is_null() & pl.lit(shortest in cfg.business_day_kinds)
    return pl.when(in_business | blank_business).then(business).otherwise(calendar)


def transition_checks(
    transitions: pl.LazyFrame, contacts: pl.LazyFrame, *, as_of: dt.date, cfg: ProcessConfig
) -> pl.LazyFrame:
    """One row per transition on or before ``as_of``: ``window_ends_on``, ``contact_on``
    (first qualifying client contact from the transition day on, up to ``as_of``) and
    ``contact_status`` (``within``, ``late``, ``open``, ``missing``).

    A qualifying contact is an attended client contact (:func:`client_contact`) of a kind in
    ``[post_transition] kinds``; one contact can serve every transition whose window holds it.
    """
    c = pl.col
    tx = transitions.filter(
        c("transition_on").is_not_null() & (c("transition_on") <= as_of) & c("case_id").is_not_null()
    ).with_columns(window_ends_on=window_end(c("transition_on"), c("kind"), cfg))
    qualifying = (
        contacts.filter(
            (c("contact_on") <= as_of)
            & client_contact(cfg)
            & c("kind").is_in(list(cfg.post_transition_kinds)).fill_null(value=False)
        )
        .select("case_id", c("contact_on"))
        # only the cases with a transition: a third of the contacts to sort and match
        .join(tx.select("case_id"), on="case_id", how="semi")
    )
    status = (
        pl.when(c("contact_on") <= c("window_ends_on"))
        .then(pl.lit("within"))
        .when(c("contact_on").is_not_null())
        .then(pl.lit("late"))
        .when(c("window_ends_on") >= as_of)
        .then(pl.lit("open"))
        .otherwise(pl.lit("missing"))
    )
    if tx.collect_schema()["case_id"] == INDEX_DTYPE:  # the case index: one number per (case, day)
        return _first_contact_by_key(tx, qualifying).with_columns(contact_status=status)
    return (
        tx.sort("transition_on")
        .join_asof(
            qualifying.sort("contact_on"),  # repeated dates need no unique: the forward as-of join takes the first
            left_on="transition_on",
            right_on="contact_on",
            by="case_id",
            strategy="forward",
            check_sortedness=False,  # sorted above; polars cannot check it within groups
        )
        .with_columns(contact_status=status)
    )


def _case_day(case: pl.Expr, day: pl.Expr) -> pl.Expr:
    """One ``UInt64`` per (case index, day) that sorts by case, then day."""
    return case.cast(pl.UInt64) * _KEY + (day.cast(pl.Int64) + _KEY // 2).cast(pl.UInt64)


def _first_contact_by_key(tx: pl.LazyFrame, qualifying: pl.LazyFrame) -> pl.LazyFrame:
    """``tx`` (keyed by the case index) with ``contact_on``: the first ``qualifying`` contact
    of the same case on or after its ``transition_on`` (null when none), as the as-of join
    by case of :func:`transition_checks` finds it, but on one sorted number (case, day): a
    forward match that lands in a later case is no match. At 1M cases 0.3 s of CPU against
    0.55 s for the join by case. Rows by case, then day (ties in ``tx``'s order).

    >>> d = dt.date
    >>> tx = pl.LazyFrame({"case_id": [0, 1, 1], "transition_on": [d(2026, 1, 5), d(2026, 1, 1), d(2026, 1, 9)]},
    ...     schema_overrides={"case_id": pl.UInt32})
    >>> co = pl.LazyFrame({"case_id": [1, 1, 0], "contact_on": [d(2026, 1, 3), d(2026, 1, 1), d(2026, 1, 4)]},
    ...     schema_overrides={"case_id": pl.UInt32})
    >>> _first_contact_by_key(tx, co).select("case_id", "contact_on").collect().rows()
    [(0, None), (1, datetime.date(2026, 1, 1)), (1, None)]
    """
    c = pl.col
    right = qualifying.select(
        _key=_case_day(c("case_id"), c("contact_on")), _case=c("case_id"), contact_on=c("contact_on")
    ).sort("_key")
    return (
        tx.with_columns(_key=_case_day(c("case_id"), c("transition_on")))
        .sort("_key", maintain_order=True)
        .join_asof(right, on="_key", strategy="forward", check_sortedness=False)  # both sorted just above
        .with_columns(contact_on=pl.when(c("_case") == c("case_id")).then(c("contact_on")))
        .drop("_key", "_case")
    )


def safety_recorded() -> pl.Expr:
    """Whether a risk review records a safety action (``not_needed`` counts only with a reason).

    >>> r = pl.DataFrame({"safety_action": ["safety_plan", "not_needed", "not_needed", None],
    ...     "reason": [None, "no risk at home", " ", "x"]})
    >>> r.select(safety_recorded())["safety_action"].to_list()
    [True, True, False, False]
    """
    c = pl.col
    return c("safety_action").is_not_null() & (
        (c("safety_action") != "not_needed") | c("reason").str.strip_chars().ne("").fill_null(value=False)
    )


def safety_review_on() -> pl.Expr:
    """Aggregate: the latest review date that records a safety action (:func:`safety_recorded`)."""
    return max_where(pl.col("reviewed_on"), safety_recorded())


def red_flag_open(raised: pl.Expr, safety_on: pl.Expr) -> pl.Expr:
    """The day a red flag was raised while it is still open: no review on or after that day
    records a safety action (``safety_on``, from :func:`safety_review_on`); else null.

    >>> d = dt.date
    >>> df = pl.DataFrame({"raised": [d(2026, 1, 5)] * 3, "safety_on": [None, d(2026, 1, 4), d(2026, 1, 5)]})
    >>> df.select(red_flag_open(pl.col("raised"), pl.col("safety_on")))["raised"].to_list()
    [datetime.date(2026, 1, 5), datetime.date(2026, 1, 5), None]
    """
    return pl.when(safety_on.is_null() | (safety_on < raised)).then(raised)


def open_red_flags(data: CaseData, *, as_of: dt.date, model: RiskModel | None = None) -> pl.DataFrame:
    """Per case, the red flags open on ``as_of`` (raised by a record on or before it, and no
    risk review from the raising day to ``as_of`` records a safety action), as a list;
    cases without one are left out. The rule behind ``safety_red_flag`` on the worklist and
    behind the refusal of a risk review that leaves one open (:meth:`casekit.Workspace.record`).

    >>> a = pl.DataFrame({"case_id": ["A", "B"], "phq9_item9": [2, 2],
    ...     "assessed_on": [dt.date(2026, 1, 5)] * 2})
    >>> r = pl.DataFrame({"case_id": ["B"], "reviewed_on": [dt.date(2026, 1, 6)],
    ...     "safety_action": ["safety_plan"], "reason": [None]})
    >>> open_red_flags(CaseData({"assessments": a, "risk_reviews": r}), as_of=dt.date(2026, 2, 1)).rows()
    [('A', ['self_harm_thoughts'])]
    """
    c = pl.col
    raised, names = red_flag_dates(data, as_of=as_of, model=model)
    if not names:
        return pl.DataFrame(schema={"case_id": pl.String, "red_flags": pl.List(pl.String)})
    reviews = (
        sheet(data, "risk_reviews", ["case_id", "reviewed_on", "safety_action", "reason"])
        .filter(c("reviewed_on") <= as_of)
        .group_by("case_id")
        .agg(safety_on=safety_review_on())
    )
    return (
        raised.join(reviews, on="case_id", how="left")
        .select(
            "case_id",
            red_flags=pl.concat_list(
                pl.when(red_flag_open(c(f"raised_{f}"), c("safety_on")).is_not_null()).then(pl.lit(f)) for f in names
            ).list.drop_nulls(),
        )
        .filter(c("red_flags").list.len() > 0)
        .sort("case_id")
        .collect()
    )


def red_flag_dates(data: CaseData, *, as_of: dt.date, model: RiskModel | None = None) -> tuple[pl.LazyFrame, list[str]]:
    """Per case, ``raised_<flag>``: the date of the latest record that gives the flag's input a
    value, when that value raises the flag (null otherwise), and the red flag names.

    The latest record with a value decides: a later value below the threshold clears the
    flag, a blank never does. Assessment inputs (and inputs derived from assessment
    columns) are read per assessment; screening inputs per screening. A red flag on a
    team's own column (``type`` in the model, ``docs/risk_model.md``) is read the same
    way from its sheet, parsed as :func:`casekit.risk.score_risk` parses it; on the
    ``cases`` sheet it is raised on the opening day.

    >>> from casekit.data import CaseData
    >>> a = pl.DataFrame({"case_id": ["A", "A", "B"], "phq9_item9": [1, None, 2],
    ...     "assessed_on": [dt.date(2026, 1, 5), dt.date(2026, 2, 1), dt.date(2026, 1, 1)]})
    >>> frame, names = red_flag_dates(CaseData({"assessments": a}), as_of=dt.date(2026, 3, 1))
    >>> frame.sort("case_id").select("case_id", "raised_self_harm_thoughts").collect().rows()
    [('A', datetime.date(2026, 1, 5)), ('B', datetime.date(2026, 1, 1))]
    """
    frames, names = red_flag_parts(data, as_of=as_of, model=model)
    if not frames:
        return pl.LazyFrame(schema={"case_id": id_dtype(data)}), []
    out = frames[0]
    for other in frames[1:]:
        out = out.join(other, on="case_id", how="full", coalesce=True)
    return out, names


def red_flag_parts(
    data: CaseData, *, as_of: dt.date, model: RiskModel | None = None
) -> tuple[list[pl.LazyFrame], list[str]]:
    """:func:`red_flag_dates` as one frame per sheet read (one row per case of that sheet), not
    joined: a caller that attaches them to the cases one by one (the case status) saves the
    full join (0.2 s of CPU at 1M cases)."""
    from casekit.risk.instruments import bmi_class, bp_category, gad7_severity, phq9_severity
    from casekit.risk.model import load_model
    from casekit.risk.score import local_columns

    model = model or load_model()
    c = pl.col
    by_sheet: dict[str, list] = {"assessments": [], "screenings": [], "cases": []}
    for flag in model.red_flags:
        source = "assessments" if flag.input.source == "derived" else flag.input.source
        if source in by_sheet:
            by_sheet[source].append(flag)
    frames: list[pl.LazyFrame] = []
    all_names: list[str] = []
    for name, flags in by_sheet.items():
        if not flags:
            continue
        date = {"assessments": "assessed_on", "screenings": "screened_on", "cases": "opened_on"}[name]
        own = [f.input for f in flags if f.input.local]
        raw = [f.input.column for f in flags if f.input.source == name and not f.input.local]
        derived = {f.input.name for f in flags if f.input.source == "derived"}
        needs = {
            "bp_category": ["systolic_bp", "diastolic_bp"],
            "phq9_severity": ["phq9"],
            "gad7_severity": ["gad7"],
            "bmi_class": ["bmi"],
        }
        cols = list(dict.fromkeys(["case_id", date, ROW, *raw, *(x for d in derived for x in needs.get(d, []))]))
        # a category input is only compared (``Band``/``is_in``): read as its Enum when the data holds it
        spec = SHEETS[name].columns
        enums = [x for x in raw if x in spec and spec[x].kind == "category" and spec[x].vocab is not None]
        lf = sheet(data, name, cols, enums=enums)
        lf = lf.filter(c(date).is_not_null() & (c(date) <= as_of) & c("case_id").is_not_null())
        if own:  # the team's own columns come from the same row
            lf = lf.join(local_columns(data, name, own), on=["case_id", ROW], how="left")
        makers = {
            "bp_category": lambda: bp_category("systolic_bp", "diastolic_bp"),
            "phq9_severity": lambda: phq9_severity("phq9"),
            "gad7_severity": lambda: gad7_severity("gad7"),
            "bmi_class": lambda: bmi_class("bmi"),
        }
        lf = lf.with_columns(makers[d]() for d in derived if d in makers)
        key = c(date).cast(pl.Int64) * _KEY + c(ROW).fill_null(0)
        aggs, names = [], []
        for flag in flags:
            if flag.input.source == "derived" and flag.input.name not in makers:
                continue  # needs the case's own columns (age, sex): scored by casekit.risk only
            x = c(flag.input.name if flag.input.source == "derived" or flag.input.local else flag.input.column)
            cond = pl.when(x.is_not_null()).then(flag.condition(x))
            aggs += [
                max_where(key, cond.is_not_null()).alias(f"_any_{flag.name}"),
                max_where(key, cond).alias(f"_yes_{flag.name}"),
            ]
            names.append(flag.name)
        if not names:
            continue
        all_names += names
        frames.append(
            lf.group_by("case_id")
            .agg(aggs)
            .select(
                "case_id",
                *(
                    pl.when(c(f"_yes_{n}") == c(f"_any_{n}"))
                    .then((c(f"_yes_{n}") // _KEY).cast(pl.Int32).cast(pl.Date))
                    .alias(f"raised_{n}")
                    for n in names
                ),
            )
        )
    return frames, [f.name for f in model.red_flags if f.name in all_names]


def readmission_events(
    transitions: pl.LazyFrame, *, as_of: dt.date | None = None, cfg: ProcessConfig | None = None
) -> pl.LazyFrame:
    """Index events (a discharge or step-down *from* a readmission level) and the first
    admission (step-up or transfer) *into* such a level 1…``days`` days later, same case.

    Columns ``case_id, discharge_on, index_kind, from_level, readmitted_on, to_level, days``.
    """
    cfg = load_process_config(cfg)
    c = pl.col
    levels = list(cfg.readmission_levels)
    tx = transitions.filter(c("transition_on").is_not_null() & c("case_id").is_not_null())
    if as_of is not None:
        tx = tx.filter(c("transition_on") <= as_of)
    index = (
        tx.filter(c("kind").is_in(["discharge", "step_down"]) & c("from_level").is_in(levels))
        .select("case_id", c("transition_on").alias("discharge_on"), c("kind").alias("index_kind"), "from_level")
        .with_columns(_from=c("discharge_on") + pl.duration(days=1))
        .sort("_from")
    )
    admissions = (
        tx.filter(c("kind").is_in(["step_up", "transfer"]) & c("to_level").is_in(levels))
        .select("case_id", c("transition_on").alias("readmitted_on"), "to_level")
        .sort("readmitted_on")
    )
    return (
        index.join_asof(
            admissions,
            left_on="_from",
            right_on="readmitted_on",
            by="case_id",
            strategy="forward",
            check_sortedness=False,  # sorted above; polars cannot check it within groups
        )
        .with_columns(days=(c("readmitted_on") - c("discharge_on")).dt.total_days())
        .filter(c("days") <= cfg.readmission_days)
        .select("case_id", "discharge_on", "index_kind", "from_level", "readmitted_on", "to_level", "days")
        .sort("discharge_on", "case_id")
    )
