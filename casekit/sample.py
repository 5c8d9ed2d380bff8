"""Synthetic caseloads that exercise every stage, flag and risk tier.

:func:`make_sample` draws a realistic-looking caseload for demos, training and tests:
each case follows a *scenario* (stalled at screening, awaiting assessment, in
monitoring with follow-ups on time or overdue, transitioned with a post-transition
contact on day 7 or day 8, readmitted, closed with or without outcomes…), and its
assessment values follow a latent severity so that the default risk model
(:mod:`casekit.risk`) rates roughly half the clients low, 30 % moderate and 20 % high
risk, most of them in the tier the generator intended. The data satisfy the workbook
contract and its cross-sheet rules; the only problems on purpose are warnings
(contacts still ``scheduled`` in the past).

Generation is vectorised (numpy + polars, no loop over cases): a million cases
(about 11 million rows over the nine sheets) take 8–15 seconds on two shared cores.
The same ``seed`` always gives the same frames.

Examples
--------
>>> data = make_sample(50, seed=1)
>>> data["cases"].height
50
>>> data["cases"]["case_id"].head(2).to_list()
['C00001', 'C00002']
>>> data.issues.height
0
>>> make_sample(50, seed=1)["contacts"].equals(data["contacts"])
True
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from casekit import _sample_pools as P  # noqa: N812 - short alias for the pools
from casekit._sample_cases import CADENCE, SC, pick_rows, profile, ri, timeline
from casekit.contract import ROW, SHEET_ORDER, SHEETS, VOCABS
from casekit.data import DTYPES, CaseData

__all__ = ["SAMPLE_AS_OF", "make_sample"]

#: Reference date of the bundled sample: its stages and flags are stated as of this day.
SAMPLE_AS_OF = P.SAMPLE_AS_OF

_EPOCH = dt.date(1970, 1, 1)
#: Null marker in integer and date arrays (dates are days since 1970-01-01, can be < 0).
NA = -(2**40)
#: Id column and prefix of each sheet that has its own identifier.
_IDS = {
    "goals": ("goal_id", "G"),
    "services": ("service_id", "S"),
    "contacts": ("contact_id", "K"),
    "transitions": ("transition_id", "T"),
}
#: Outcome measures: (measure, domain, higher_is_better, min, max, decimals).
MEASURES: tuple[tuple[str, str, bool, float, float, int], ...] = (
    ("PHQ-9", "clinical", False, 0, 27, 0),
    ("systolic_bp", "clinical", False, 80, 230, 0),
    ("HbA1c", "clinical", False, 4.5, 14, 1),
    ("barthel_index", "physical_function", True, 0, 100, 0),
    ("ed_visits_6m", "utilization", False, 0, 40, 0),
    ("admissions_12m", "utilization", False, 0, 20, 0),
    ("monthly_cost", "utilization", False, 0, 100_000, 2),
    ("CSQ-8", "satisfaction", True, 8, 32, 0),
    ("knowledge_score", "knowledge", True, 0, 10, 0),
    ("WHO-5", "psychosocial", True, 0, 100, 0),
    ("monthly_income", "financial", True, 0, 20_000, 0),
    ("GAD-7", "clinical", False, 0, 21, 0),
)
_MEASURE_WEIGHTS = np.array([3, 2, 1, 1.5, 2, 1, 2, 1.5, 1, 1.5, 1, 1.5])
#: Measures taken once, at discharge (the catalogue's post-only measures): no baseline or follow-up.
_POST_ONLY = np.array([m[0] == "CSQ-8" for m in MEASURES])

#: Goal links to an outcome measure: (measure, target value); a goal domain (by its
#: position in the contract's ``goal_domain``) → the links it draws from, in turn.
_GOAL_MEASURES: tuple[tuple[str, float], ...] = (
    ("PHQ-9", 9.0),  # below 10: out of the moderate range
    ("GAD-7", 9.0),
    ("barthel_index", 60.0),
    ("WHO-5", 52.0),  # above 50: no longer poor wellbeing
    ("monthly_income", 1200.0),
)
_GOAL_LINKS = {1: (0, 1), 0: (2,), 5: (3,), 2: (4,)}  # clinical, physical function, psychosocial, financial
#: Goal domains that are mostly the client's own goals (financial, knowledge, housing, other).
_CLIENT_DOMAINS = (2, 4, 6, 7)

Cols = dict[str, "np.ndarray | pl.Series"]
Texts = dict[str, list[str]]


def _goal_links(domain: np.ndarray, salt: np.ndarray) -> Cols:
    """``owner``, ``measure`` (code into :data:`_GOAL_MEASURES`, -1 none) and ``target_value``
    of each goal, from its domain and ``salt`` (no random draw: the other sheets stay as they were).

    Two goals in three of a linked domain name a measure; an owner is set on four goals
    in five (mostly the client's own in financial, knowledge and housing goals).
    """
    measure = np.full(domain.size, -1, dtype=np.int64)
    for dom, links in _GOAL_LINKS.items():
        mine = (domain == dom) & (salt % 3 != 2)
        measure = np.where(mine, np.array(links)[salt % len(links)], measure)
    targets = np.array([v for _, v in _GOAL_MEASURES])
    client = np.isin(domain, _CLIENT_DOMAINS) != (salt % 4 == 3)
    owner = np.where(client, code("goal_owner", "client"), code("goal_owner", "care_team"))
    return {
        "owner": np.where(salt % 5 == 4, -1, owner),
        "measure": measure,
        "target_value": np.where(measure >= 0, targets[np.maximum(measure, 0)], np.nan),
    }


def code(vocab: str, value: str) -> int:
    """Position of ``value`` in the contract vocabulary ``vocab``.

    >>> code("sex", "male")
    1
    """
    return list(VOCABS[vocab]).index(value)


def make_sample(
    n_cases: int = 500,
    *,
    seed: int = 0,
    as_of: dt.date = SAMPLE_AS_OF,
    lang: str = "en",
) -> CaseData:
    """A synthetic caseload of ``n_cases`` cases, stated as of ``as_of``.

    Frames follow the data model every module agrees on: contract columns in contract
    order with their types, ``_row`` = 2..n+1, no issues. ``lang`` ("en" or "es") is
    the language of free text (programmes, services, goals, notes, reasons); every
    random draw is the same whatever the language.

    Examples
    --------
    >>> d = make_sample(200, seed=3, lang="es")
    >>> d["screenings"]["decision"].unique().sort().to_list()
    ['declined', 'not_eligible', 'refer_to_assessment']
    >>> d["cases"]["_row"].to_list()[:3]
    [2, 3, 4]
    """
    if n_cases < 0:
        raise ValueError("n_cases must be 0 or more")
    rng = np.random.default_rng(seed)
    gen = _Generator(rng, n_cases, as_of=as_of, lang="es" if lang == "es" else "en")
    raw = {
        "cases": gen.cases(),
        "screenings": gen.screenings(),
        "assessments": gen.assessments(),
        "risk_reviews": gen.risk_reviews(),
        "goals": gen.goals(),
        "services": gen.services(),
        "contacts": gen.contacts(),
        "transitions": gen.transitions(),
        "outcomes": gen.outcomes(),
    }
    sheets = {name: _finish(name, *raw[name], gen.rank, gen.case_ids) for name in SHEET_ORDER}
    sheets["risk_reviews"] = _safety_actions(sheets, gen.x, as_of=as_of, lang=gen.lang)
    return CaseData(sheets, source=f"sample(n_cases={n_cases}, seed={seed}, as_of={as_of.isoformat()})")


#: The safety action a reviewer records for each red flag.
_ACTION_FOR = {
    "self_harm_thoughts": ("safety_plan", "crisis_referral"),
    "hypertensive_crisis": ("medical_evaluation", "medical_evaluation"),
    "unsafe_housing": ("housing_referral", "housing_referral"),
    "unsafe_home": ("safety_plan", "housing_referral"),
}
_NOT_NEEDED_REASON = {"en": "Ruled out at the home visit", "es": "Descartado en la visita domiciliaria"}


def _safety_actions(
    sheets: dict[str, pl.DataFrame], rng: np.random.Generator, *, as_of: dt.date, lang: str
) -> pl.DataFrame:
    """The risk reviews with ``safety_action`` recorded for about half of the clients whose
    red flag was reviewed (the first review on or after the flag); a few say
    ``not_needed`` with a reason, the rest record nothing (the flag stays open)."""
    from casekit.stages import red_flag_dates

    reviews = sheets["risk_reviews"]
    raised, names = red_flag_dates(CaseData(sheets), as_of=as_of)
    if not names or reviews.height == 0:
        return reviews
    first = (
        raised.select(
            "case_id",
            on=pl.min_horizontal(*(f"raised_{n}" for n in names)),
            flag=pl.coalesce(*(pl.when(pl.col(f"raised_{n}").is_not_null()).then(pl.lit(n)) for n in names)),
        )
        .drop_nulls("on")
        .collect()
        .join(reviews.select("case_id", "reviewed_on", ROW), on="case_id")
        .filter(pl.col("reviewed_on") >= pl.col("on"))
        .sort(ROW)
        .unique("case_id", keep="first", maintain_order=True)
    )
    u = rng.random(first.height)
    pick = rng.integers(0, 2, first.height)
    options = first["flag"].to_list()
    action = [
        _ACTION_FOR[f][k] if x < 0.5 else "not_needed" if x < 0.6 else None
        for f, k, x in zip(options, pick, u, strict=True)
    ]
    chosen = first.select(ROW, _action=pl.Series(action, dtype=pl.String)).drop_nulls("_action")
    return (
        reviews.join(chosen, on=ROW, how="left")
        .with_columns(
            safety_action=pl.col("_action"),
            reason=pl.when(pl.col("_action") == "not_needed")
            .then(pl.lit(_NOT_NEEDED_REASON[lang]))
            .otherwise(pl.col("reason")),
        )
        .select(reviews.columns)
    )


# --------------------------------------------------------------------------------------
# Turning numpy columns into contract-typed frames
# --------------------------------------------------------------------------------------


def _finish(sheet: str, cols: Cols, texts: Texts, rank: np.ndarray, case_ids: pl.Series) -> pl.DataFrame:
    """Sort rows by case and date, add ids and ``_row``, type every contract column."""
    spec = SHEETS[sheet]
    case = np.asarray(cols.pop("_case"), dtype=np.int64)
    day = np.asarray(cols.pop("_day"), dtype=np.int64)
    key = rank[case] * 2**32 + (day - (day.min() if day.size else 0))  # by case, then date
    df = pl.DataFrame({"_key": key, "_case": case, **cols}).sort("_key", maintain_order=True)
    df = df.with_columns(case_id=case_ids.gather(df["_case"]))
    exprs: list[pl.Expr] = []
    for name, col in spec.columns.items():
        c = pl.col(name)
        if sheet in _IDS and name == _IDS[sheet][0]:
            expr = pl.format("{}{}", pl.lit(_IDS[sheet][1]), (pl.int_range(pl.len()) + 1).cast(pl.String).str.zfill(6))
        elif name not in df.columns:
            expr = pl.lit(None)
        elif name in texts:
            expr = _lookup(c, texts[name])
        elif col.kind == "category":
            expr = _lookup(c, list(VOCABS[col.vocab or ""]))
        elif col.kind == "date":
            expr = pl.when(c != NA).then(c).cast(pl.Int32).cast(pl.Date)
        elif col.kind == "int":
            expr = pl.when(c != NA).then(c)
        elif col.kind == "float":
            expr = c.fill_nan(None)
        elif col.kind == "bool":
            expr = pl.when(c >= 0).then(c == 1)
        else:
            expr = c
        exprs.append(expr.cast(DTYPES[col.kind]).alias(name))
    exprs.append((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(ROW))
    return df.select(exprs)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """``prefix`` + zero-padded numbers, e.g. ``C00042``."""
    return pl.select(pl.lit(prefix) + pl.Series(numbers).cast(pl.String).str.zfill(width)).to_series()


def _lookup(codes: pl.Expr, values: list[str]) -> pl.Expr:
    """Codes 0..k-1 -> ``values``; negative codes -> null."""
    return pl.when(codes >= 0).then(codes).replace_strict(dict(enumerate(values)), default=None, return_dtype=pl.String)


def _bool(mask: np.ndarray, null: np.ndarray | None = None) -> np.ndarray:
    out = mask.astype(np.int8)
    return out if null is None else np.where(null, -1, out)


# --------------------------------------------------------------------------------------
# The generator: one method per sheet, all vectorised over cases
# --------------------------------------------------------------------------------------


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ``counts[i]`` rows of case ``i``: each row's case index and its index within the case."""
    idx = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return idx, np.arange(idx.size) - np.repeat(starts, counts)


def _flat(groups: dict[str, tuple[P.Pair, ...]], lang: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Flatten a dict of text pools: (texts, offset per group, size per group)."""
    texts = [t for pool in groups.values() for t in P.pick(pool, lang)]
    sizes = np.array([len(pool) for pool in groups.values()])
    return texts, np.cumsum(sizes) - sizes, sizes


class _Generator:
    """Draws every sheet from the case-level timeline and profile."""

    def __init__(self, rng: np.random.Generator, n: int, *, as_of: dt.date, lang: str) -> None:
        self.rng, self.n, self.lang = rng, n, lang
        self.t = timeline(rng, n)
        # the profile draws from its own stream: recalibrating assessment values leaves
        # every other draw (names, contacts, goals…) as it was
        self.p = profile(rng.spawn(1)[0], self.t["tier"])
        #: the situations of issue 12 draw from a stream of their own (the rest stays as it was)
        self.x = rng.spawn(1)[0]
        #: opening day of each case, days since 1970-01-01
        self.base = (as_of - _EPOCH).days - self.t["span"]
        order = np.argsort(self.base, kind="stable")
        self.rank = np.empty(n, dtype=np.int64)
        self.rank[order] = np.arange(n)
        self.case_ids = _ids("C", self.rank + 1, max(5, len(str(n))))
        sc = self.t["scenario"]
        screened_out = np.isin(sc, (SC["screened_out_closed"], SC["screened_out_open"]))
        not_eligible = rng.random(n) < np.where(sc == SC["screened_out_open"], 0.8, 0.6)
        self.decision = np.where(screened_out, np.where(not_eligible, 1, 2), 0)
        # plan_incomplete: half have goals but no service, half goals without target dates
        incomplete = sc == SC["plan_incomplete"]
        self.no_services = incomplete & (rng.random(n) < 0.5)
        self.no_targets = incomplete & ~self.no_services
        self.open = ~self.t["closed"]
        #: each case's first service (index in P.SERVICES): intensive levels for high tiers
        svc_w = np.array(
            [
                [0.0, 0.0, 1, 0.5, 1, 0.5, 4, 1.5, 1, 1, 1, 2, 1],  # low
                [0.2, 0.3, 1.5, 1, 2, 1, 3, 1.5, 1, 1, 1, 1, 1],  # moderate
                [2.0, 1.5, 2, 1, 2, 1, 1, 1, 0.5, 0.5, 0.5, 0.2, 0.5],  # high
            ]
        )
        self.svc0 = pick_rows(rng, svc_w[self.t["tier"]])

    # ---- helpers ----
    def _u(self, size: int | None = None) -> np.ndarray:
        return self.rng.random(self.n if size is None else size)

    def _choice(self, probs: list[float], size: int) -> np.ndarray:
        return self.rng.choice(len(probs), size, p=np.asarray(probs) / sum(probs))

    def _day(self, idx: np.ndarray, offset: np.ndarray) -> np.ndarray:
        return self.base[idx] + offset

    # ---- sheets ----
    def cases(self) -> tuple[Cols, Texts]:
        n, rng, t, p = self.n, self.rng, self.t, self.p
        sc = t["scenario"]
        reason = np.full(n, -1)
        out = sc == SC["screened_out_closed"]
        reason = np.where(out, np.where(self.decision == 2, code("close_reason", "declined"), 5), reason)
        with_out = sc == SC["closed_with_outcomes"]
        reason = np.where(with_out, self._choice([0.8, 0.1, 0, 0, 0, 0.1], n), reason)
        without = sc == SC["closed_without_outcomes"]
        reason = np.where(without, self._choice([0.1, 0.25, 0.1, 0.35, 0.1, 0.1], n), reason)

        spanish = rng.random(n) < 0.65
        origin_es = np.where(spanish, rng.random(n) < 0.9, rng.random(n) < 0.15)
        female = np.where(p["sex"] >= 2, rng.random(n) < 0.5, p["sex"] == 0)
        firsts = [*P.ES_FEMALE, *P.ES_MALE, *P.EN_FEMALE, *P.EN_MALE]
        sizes = np.array([len(P.ES_FEMALE), len(P.ES_MALE), len(P.EN_FEMALE), len(P.EN_MALE)])
        group = np.where(origin_es, 0, 2) + ~female
        first = (np.cumsum(sizes) - sizes)[group] + (rng.random(n) * sizes[group]).astype(np.int64)
        lasts = [*P.ES_LAST, *P.EN_LAST]
        n_es, n_en = len(P.ES_LAST), len(P.EN_LAST)
        last1 = np.where(origin_es, rng.integers(0, n_es, n), n_es + rng.integers(0, n_en, n))
        last2 = np.where(origin_es & (rng.random(n) < 0.85), rng.integers(0, n_es, n), -1)
        names = pl.DataFrame({"f": first, "l1": last1, "l2": last2}).select(
            pl.concat_str(
                [_lookup(pl.col("f"), firsts), _lookup(pl.col("l1"), lasts), _lookup(pl.col("l2"), lasts)],
                separator=" ",
                ignore_nulls=True,
            )
        )
        ethnicity = np.where(
            spanish,
            self._choice([0.62, 0.2, 0.04, 0.05, 0.03, 0.02, 0.01, 0.03], n),
            self._choice([0.45, 0.2, 0.15, 0.03, 0.01, 0.08, 0.03, 0.05], n),
        )
        cols: Cols = {
            "_case": np.arange(n),
            "_day": self.base,
            "client_id": _ids("P", self.rank + 1, 7),
            "client_name": names.to_series(),
            "opened_on": self.base,
            "closed_on": np.where(t["closed"], self.base + t["d_close"], NA),
            "close_reason": reason,
            "case_manager": rng.integers(0, len(P.CASE_MANAGERS), n),
            "program": p["program"],
            "referral_source": p["referral"],
            "birth_date": self.base - (p["age"] * 365.25).astype(np.int64),
            "sex": p["sex"],
            "ethnicity": ethnicity,
            "language": np.where(spanish, 0, 1),
        }
        texts: Texts = {
            "case_manager": list(P.CASE_MANAGERS),
            "program": P.pick(P.PROGRAMS, self.lang),
            "ethnicity": P.pick(P.ETHNICITIES, self.lang),
            "language": ["es", "en"],
        }
        return cols, texts

    def screenings(self) -> tuple[Cols, Texts]:
        i = np.flatnonzero(self.t["reach"] >= 1)
        m, p = i.size, self.p
        day = self._day(i, self.t["d_scr"][i])
        reviewed = self._u(m)
        cols: Cols = {
            "_case": i,
            "_day": day,
            "screened_on": day,
            "medical_history_reviewed": np.select([reviewed < 0.92, reviewed < 0.97], [1, 0], default=-1),
            "employment": p["employment"][i],
            "home_environment": p["home_environment"][i],
            "self_management": p["self_management"][i],
            "financial_situation": p["financial_situation"][i],
            "claims_12m": p["claims_12m"][i],
            "prior_services": self._choice([4, 1.5, 1, 1, 1, 1.5, 0.5], m),
            "support_network": p["support_network"][i],
            "decision": self.decision[i],
        }
        return cols, {"prior_services": P.pick(P.PRIOR_SERVICES, self.lang)}

    def assessments(self) -> tuple[Cols, Texts]:
        i = np.flatnonzero(self.t["reach"] >= 2)
        m, p = i.size, self.p
        day = self._day(i, self.t["d_ass"][i])
        provisional = self._u(m) < 0.06  # most risk inputs missing -> provisional tier

        def num(name: str, keep: bool = False) -> np.ndarray:
            v = p[name][i]
            null = self._u(m) < 0.02
            if not keep:
                null |= provisional
            return np.where(null, np.nan if v.dtype.kind == "f" else NA, v)

        def flag(name: str, values: np.ndarray | None = None) -> np.ndarray:
            v = p[name][i] if values is None else values
            return _bool(v, provisional | (self._u(m) < 0.02))

        bp_null = provisional | (self._u(m) < 0.02)
        cols: Cols = {
            "_case": i,
            "_day": day,
            "assessed_on": day,
            "ed_visits_6m": num("ed_visits_6m", keep=True),
            "admissions_12m": num("admissions_12m", keep=True),
            "insurance": p["insurance"][i],
            "prior_services_available": flag("prior_services_available"),
            "housing": p["housing"][i],
            "housing_safe": flag("housing_unsafe", ~p["housing_unsafe"][i]),
            "readiness_to_change": p["readiness_to_change"][i],
            "health_engagement": num("health_engagement"),
            "systolic_bp": np.where(bp_null, NA, p["systolic_bp"][i]),
            "diastolic_bp": np.where(bp_null, NA, p["diastolic_bp"][i]),
            "phq9": num("phq9"),
            "phq9_item9": num("phq9_item9"),
            "gad7": num("gad7"),
            "audit_c": num("audit_c"),
            "tobacco_use": flag("tobacco_use"),
            "substance_use": flag("substance_use"),
            "chronic_conditions": num("chronic_conditions"),
            "charlson": num("charlson"),
            "medications": num("medications"),
            "bmi": num("bmi"),
            "exercise_min_week": num("exercise_min_week"),
            "length_of_stay_days": num("length_of_stay_days"),
            "acute_admission": flag("acute_admission"),
        }
        # PHQ-9 item 9 is part of the total: never above it
        both = (cols["phq9"] != NA) & (cols["phq9_item9"] != NA)
        cols["phq9_item9"] = np.where(both, np.minimum(cols["phq9_item9"], cols["phq9"]), cols["phq9_item9"])
        return cols, {}

    def risk_reviews(self) -> tuple[Cols, Texts]:
        t, rng = self.t, self.rng
        first = np.flatnonzero(t["reach"] >= 3)
        second = np.flatnonzero((t["reach"] >= 5) & (self._u() < 0.06))
        i = np.concatenate([first, second])
        m = i.size
        off = np.concatenate([t["d_rev"][first], t["d_impl"][second] + ri(rng, 0, t["mon_len"][second], second.size)])
        override = np.concatenate([self._u(first.size) < 0.12, self._u(second.size) < 0.7])
        tier = t["tier"][i]
        up = self._u(m) < 0.55
        new_tier = np.select([tier == 0, tier == 2], [1, 1], default=np.where(up, 2, 0))
        day = self._day(i, off)
        reviewer = np.where(self._u(m) < 0.6, rng.integers(0, 3, m), 3 + rng.integers(0, len(P.CASE_MANAGERS), m))
        cols: Cols = {
            "_case": i,
            "_day": day,
            "reviewed_on": day,
            "reviewer": reviewer,
            "override_tier": np.where(override, new_tier, -1),
            "reason": np.where(override, rng.integers(0, len(P.OVERRIDE_REASONS), m), -1),
        }
        return cols, {
            "reviewer": [*P.REVIEWERS, *P.CASE_MANAGERS],
            "reason": P.pick(P.OVERRIDE_REASONS, self.lang),
        }

    def goals(self) -> tuple[Cols, Texts]:
        t, rng = self.t, self.rng
        has = t["reach"] >= 4
        counts = np.where(has, 1 + (self._u() < 0.5) + (self._u() < 0.2), 0)
        i, k = _expand(counts)
        m = i.size
        d_ass = t["d_ass"]
        out_of_order = has & (d_ass >= 2) & (self._u() < 0.03)
        early = d_ass - ri(rng, 1, np.minimum(5, np.maximum(d_ass, 1)), self.n)
        set_off = np.where((k == 0) & out_of_order[i], early[i], t["d_plan"][i])
        target_off = set_off + ri(rng, 30, 180, m)
        no_target = self.no_targets[i] | ((k > 0) & (self._u(m) < 0.03))

        # status as of the as-of date (open cases) or the closing date (closed cases)
        end = np.where(t["closed"], t["d_close"], t["span"])[i]
        passed = ~no_target & (target_off < end)
        closed = t["closed"][i]
        st_closed = self._choice([0, 0, 0.6, 0.2, 0.2], m)
        st_passed = self._choice([0.08, 0.22, 0.5, 0.12, 0.08], m)
        st_future = self._choice([0.35, 0.55, 0.1, 0, 0], m)
        status = np.select([closed, passed], [st_closed, st_passed], default=st_future)
        status = np.where(no_target & (status == 2), 1, status)
        ach_hi = np.minimum(np.where(no_target, end, target_off + 20), end)
        achieved = set_off + ri(rng, 0, np.maximum(ach_hi - set_off, 0), m)

        domains, d_off, d_size = _flat(P.GOALS, self.lang)
        dom = self._choice([0.2, 0.3, 0.08, 0.05, 0.14, 0.12, 0.08, 0.03], m)
        day = self._day(i, set_off)
        cols: Cols = {
            "_case": i,
            "_day": day,
            "domain": dom,
            "description": d_off[dom] + (self._u(m) * d_size[dom]).astype(np.int64),
            "set_on": day,
            "target_on": np.where(no_target, NA, self._day(i, target_off)),
            "status": status,
            "achieved_on": np.where(status == 2, self._day(i, achieved), NA),
            **_goal_links(dom, i + k),
        }
        return cols, {"description": domains, "measure": [m for m, _ in _GOAL_MEASURES]}

    def services(self) -> tuple[Cols, Texts]:
        t, rng = self.t, self.rng
        svc0 = self.svc0
        has = (t["reach"] >= 4) & ~self.no_services
        counts = np.where(has, 1 + (self._u() < 0.45), 0)
        i, k = _expand(counts)
        m = i.size
        svc = np.where(k == 0, svc0[i], rng.integers(6, len(P.SERVICES), m))
        level = np.array([code("level_of_care", s[2]) for s in P.SERVICES])[svc]
        freq = np.array([code("frequency", s[3]) for s in P.SERVICES])[svc]
        plan, last = t["d_plan"][i], t["last"][i]
        start = plan + ri(rng, 0, np.minimum(3, last - plan), m)
        closed = t["closed"][i]
        length = ri(rng, 30, 200, m)
        end = np.where(
            closed, np.minimum(start + length, t["d_close"][i]), np.where(self._u(m) < 0.4, start + length, NA)
        )
        day = self._day(i, start)
        cols: Cols = {
            "_case": i,
            "_day": day,
            "service": svc,
            "provider": level * 2 + rng.integers(0, 2, m),
            "level_of_care": level,
            "frequency": freq,
            "start_on": day,
            "end_on": np.where(end == NA, NA, self._day(i, np.where(end == NA, 0, end))),
        }
        providers = [name for lvl in VOCABS["level_of_care"] for name in P.PROVIDERS[lvl]]
        return cols, {"service": [s[1] if self.lang == "es" else s[0] for s in P.SERVICES], "provider": providers}

    def contacts(self) -> tuple[Cols, Texts]:
        t, rng, n = self.t, self.rng, self.n
        reach, sc, wait, last = t["reach"], t["scenario"], t["wait"], t["last"]
        kind = {k: code("contact_kind", k) for k in VOCABS["contact_kind"]}
        who = [0.65, 0.15, 0.15, 0.05]
        attended, missed, scheduled = (code("contact_status", s) for s in ("attended", "missed", "scheduled"))
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

        def add(mask: np.ndarray, off: np.ndarray, kinds: np.ndarray | int, whom: np.ndarray | int, st: int) -> None:
            """Contacts for the cases in ``mask``; per-case arrays or one value for all."""
            i = np.flatnonzero(mask)
            k, w, s = (np.asarray(v)[i] if np.ndim(v) else np.full(i.size, v) for v in (kinds, whom, st))
            parts.append((i, off[i], k, w, s))

        # a first phone call at screening
        add((reach >= 1) & (self._u() < 0.1), t["d_scr"], kind["phone_call"], 0, attended)
        # implementation: first attended appointment / home visit / education after the plan
        impl_kind = np.array([kind["appointment"], kind["home_visit"], kind["education"]])[
            self._choice([0.6, 0.25, 0.15], n)
        ]
        add(reach >= 5, t["d_impl"], impl_kind, np.where(self._u() < 0.9, 0, 1), attended)
        # monitoring: follow-ups spread over the monitoring period, the last one attended
        mon = t["mon_len"]
        spacing = CADENCE[t["tier"]] * (0.7 + 0.3 * self._u())
        n_ser = np.where((reach >= 5) & (mon > 0), np.clip(np.ceil(mon / spacing), 1, 3), 0).astype(np.int64)
        i, k = _expand(n_ser)
        m = i.size
        off = t["d_impl"][i] + np.rint((k + 1) * mon[i] / n_ser[i]).astype(np.int64)
        is_last = k == n_ser[i] - 1
        st = np.where(is_last, attended, self._choice([0, 0.8, 0.1, 0.1], m))  # attended / missed / cancelled
        ser_kind = np.array([kind[x] for x in ("follow_up", "phone_call", "home_visit", "appointment", "education")])
        parts.append((i, off, ser_kind[self._choice([0.45, 0.3, 0.1, 0.1, 0.05], m)], self._choice(who, m), st))
        # post-transition contacts
        pt_whom = self._choice([0.6, 0.25, 0.15], n)
        add(reach >= 8, t["d_post"], kind["post_transition"], pt_whom, attended)
        add(t["has_post2"], t["d_post2"], kind["post_transition"], pt_whom, attended)
        none = (sc == SC["post_transition_none"]) & (wait >= 1) & (self._u() < 0.3)
        add(none, t["d_tx"] + ri(self.rng, 1, np.clip(wait, 1, 6), n), kind["post_transition"], 0, missed)
        # after the last event of open cases: missed, stale, planned contacts
        open4 = self.open & (reach >= 4)
        after = last + ri(rng, 1, np.maximum(wait, 1), n)
        awaiting = sc == SC["awaiting_implementation"]
        p_missed = np.where(awaiting, 0.35, np.where(reach >= 5, 0.1, 0.0))
        miss_kind = np.where(awaiting | (self._u() < 0.5), kind["appointment"], kind["follow_up"])
        add(open4 & (wait >= 1) & (self._u() < p_missed), after, miss_kind, 0, missed)
        add(awaiting & (wait >= 1) & (self._u() < 0.3), after, kind["phone_call"], 0, attended)
        stale = last + ri(rng, 1, np.maximum(wait - 1, 1), n)
        add(open4 & (wait >= 2) & (self._u() < 0.08), stale, kind["follow_up"], 0, scheduled)
        planned = t["span"] + ri(rng, 1, 30, n)
        plan_kind = np.where(self._u() < 0.6, kind["follow_up"], kind["appointment"])
        add(open4 & (self._u() < 0.3), planned, plan_kind, 0, scheduled)
        # a courtesy call after closing (within the 90-day grace)
        after_close = t["d_close"] + ri(rng, 1, np.clip(wait, 1, 60), n)
        add(t["closed"] & (reach >= 5) & (wait >= 1) & (self._u() < 0.15), after_close, kind["phone_call"], 0, attended)

        i, off, kinds, whom, status = (np.concatenate([part[j] for part in parts]) for j in range(5))
        m = i.size
        notes = np.where(self._u(m) < 0.4, rng.integers(0, len(P.CONTACT_NOTES), m), -1)
        # the coordination calls come last, from their own stream, without notes
        extra = self._coordination(kind["phone_call"], attended)
        i, off, kinds, whom, status = (
            np.concatenate([a, b]) for a, b in zip((i, off, kinds, whom, status), extra, strict=True)
        )
        day = self._day(i, off)
        cols: Cols = {
            "_case": i,
            "_day": day,
            "contact_on": day,
            "kind": kinds,
            "with_whom": whom,
            "status": status,
            "notes": np.concatenate([notes, np.full(extra[0].size, -1)]),
        }
        return cols, {"notes": P.pick(P.CONTACT_NOTES, self.lang)}

    def _coordination(self, phone_call: int, attended: int) -> tuple[np.ndarray, ...]:
        """Coordination only: an attended call with the insurer after the last contact of some
        cases in monitoring or later (it is not a follow-up with the client)."""
        t, x, n = self.t, self.x, self.n
        i = np.flatnonzero(self.open & (t["reach"] >= 6) & (t["wait"] >= 1) & (x.random(n) < 0.15))
        off = t["last"][i] + ri(x, 1, np.maximum(t["wait"][i], 1), i.size)
        insurer = code("with_whom", "insurer")
        return i, off, np.full(i.size, phone_call), np.full(i.size, insurer), np.full(i.size, attended)

    def transitions(self) -> tuple[Cols, Texts]:
        t, rng = self.t, self.rng
        step_down, step_up, discharge, transfer = (
            code("transition_kind", k) for k in ("step_down", "step_up", "discharge", "transfer")
        )
        discharged = code("to_level", "discharged")
        self_care = code("level_of_care", "self_care")
        levels = np.array([code("level_of_care", s[2]) for s in P.SERVICES])
        i = np.flatnonzero(t["reach"] >= 7)
        m = i.size
        readm = t["readmitted"][i]
        # a readmission's index stay is in hospital (HEDIS PCR / CMS HRRP: from and back into inpatient)
        frm = np.where(readm, code("level_of_care", "inpatient"), levels[self.svc0[i]])
        kind = np.where(readm, self._choice([0.4, 0, 0.6, 0], m), self._choice([0.4, 0.12, 0.33, 0.15], m))
        kind = np.where((kind == step_down) & (frm == self_care), discharge, kind)
        kind = np.where((kind == step_up) & (frm == 0), transfer, kind)
        u = self._u(m)
        to = np.select(
            [kind == step_down, kind == step_up, kind == discharge],
            [frm + 1 + (u * (self_care - frm)).astype(np.int64), (u * frm).astype(np.int64), discharged],
            default=frm,
        )
        # readmission: a step up after the discharge / step down
        j = i[readm]
        frm2 = np.where(to[readm] == discharged, rng.integers(4, 7, j.size), to[readm])
        # most come back into hospital; the others go to rehabilitation (not a readmission)
        rehab = code("level_of_care", "rehabilitation")
        to2 = np.where((self._u(j.size) < 0.7) | (frm2 <= rehab), 0, rehab)  # a step up: a more intensive level
        self._u(j.size)  # the draw the level below used to take: later draws stay as they were
        ii = np.concatenate([i, j])
        kinds = np.concatenate([kind, np.full(j.size, step_up)])
        day = self._day(ii, np.concatenate([t["d_tx"][i], t["d_tx2"][j]]))
        reasons, r_off, _ = _flat(P.TRANSITION_REASONS, self.lang)
        cols: Cols = {
            "_case": ii,
            "_day": day,
            "transition_on": day,
            "from_level": np.concatenate([frm, frm2]),
            "to_level": np.concatenate([to, to2]),
            "kind": kinds,
            "reason": r_off[kinds] + rng.integers(0, 2, ii.size),
        }
        return cols, {"reason": reasons}

    def outcomes(self) -> tuple[Cols, Texts]:
        t, p, rng, n = self.t, self.p, self.rng, self.n
        sc = t["scenario"]
        with_out = sc == SC["closed_with_outcomes"]
        has = with_out | (self.open & (t["reach"] >= 4) & (self._u() < 0.65))
        base_off = np.minimum(t["d_ass"] + ri(rng, 0, 3, n), t["last"])
        fu_off = base_off + ri(rng, 90, 120, n)
        has_fu = has & np.where(with_out, fu_off < t["d_close"], (fu_off <= t["span"]) & (self._u() < 0.7))
        dis_off = t["d_close"] + np.minimum(ri(rng, 0, 10, n), t["wait"])

        # 2 (sometimes 3) distinct measures per case, weighted (Gumbel top-k)
        cases = np.flatnonzero(has)
        keys = np.log(_MEASURE_WEIGHTS) + rng.gumbel(size=(cases.size, len(MEASURES)))
        top = np.argsort(-keys, axis=1)[:, :3]
        k_meas = 2 + (self._u(cases.size) < 0.2)
        keep = np.arange(3)[None, :] < k_meas[:, None]
        ci = np.broadcast_to(cases[:, None], top.shape)[keep]
        meas = top[keep]
        r = ci.size
        # direction of change: improvement more likely; closed cases are improvers or worseners
        improver = self._u() < 0.75
        probs = np.where(
            with_out[ci, None],
            np.where(improver[ci, None], [0.8, 0.08, 0.12], [0.15, 0.65, 0.2]),
            [0.65, 0.17, 0.18],
        )
        direction = np.array([1, -1, 0])[pick_rows(rng, probs)]
        s = p["severity"][ci]
        u = self._u(r)
        baseline = np.select(
            [meas == j for j in range(len(MEASURES))],
            [
                p["phq9"][ci],
                p["systolic_bp"][ci],
                5.6 + 4 * s + rng.normal(0, 0.7, r),
                np.rint((100 - 60 * s + rng.normal(0, 10, r)) / 5) * 5,
                p["ed_visits_6m"][ci],
                p["admissions_12m"][ci],
                (250 + 3200 * s) * rng.lognormal(0, 0.35, r),
                np.rint(19 + rng.normal(0, 4, r)),
                np.rint(6 - 3 * s + rng.normal(0, 1.5, r)),
                np.rint((64 - 40 * s + rng.normal(0, 10, r)) / 4) * 4,
                np.rint((900 + 600 * (1 - s) * rng.lognormal(0, 0.3, r)) / 50) * 50,
                p["gad7"][ci],
            ],
        )
        magnitude = np.select(
            [meas == j for j in range(len(MEASURES))],
            [
                2 + np.floor(u * 6),
                4 + np.floor(u * 15),
                0.3 + u,
                5 * (1 + np.floor(u * 4)),
                1 + np.floor(u * 2),
                1 + np.floor(u * 2),
                baseline * (0.1 + 0.3 * u),
                2 + np.floor(u * 5),
                1 + np.floor(u * 3),
                4 * (1 + np.floor(u * 5)),
                50 * (1 + np.floor(u * 8)),
                2 + np.floor(u * 7),
            ],
        )
        spec = list(zip(*MEASURES, strict=True))
        hib = np.array(spec[2])[meas]
        lo, hi, dec = np.array(spec[3])[meas], np.array(spec[4])[meas], np.array(spec[5])[meas]
        better = np.where(hib, 1, -1) * direction * magnitude

        def value(frac: float) -> np.ndarray:
            v = np.clip(baseline + frac * better, lo, hi)
            return np.where(dec == 0, np.rint(v), np.where(dec == 1, np.round(v, 1), np.round(v, 2)))

        paired = ~_POST_ONLY[meas]
        rows = [
            (paired, base_off, value(0.0), "baseline"),
            (paired & has_fu[ci], fu_off, value(0.6), "follow_up"),
            (with_out[ci], dis_off, value(1.0), "discharge"),
        ]
        i = np.concatenate([ci[mask] for mask, *_ in rows])
        off = np.concatenate([o[ci][mask] for mask, o, *_ in rows])
        day = self._day(i, off)
        tp = np.concatenate([np.full(mask.sum(), code("timepoint", name)) for mask, *_, name in rows])
        mm = np.concatenate([meas[mask] for mask, *_ in rows])
        domains = np.array([code("outcome_domain", d) for d in spec[1]])
        cols: Cols = {
            "_case": i,
            "_day": day * 16 + mm,  # sort by date, then measure
            "measured_on": day,
            "domain": domains[mm],
            "measure": mm,
            "value": np.concatenate([v[mask] for mask, _, v, _ in rows]).astype(np.float64),
            "timepoint": tp,
            "higher_is_better": _bool(np.array(spec[2])[mm]),
        }
        return cols, {"measure": list(spec[0])}
