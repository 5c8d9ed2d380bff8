"""Case-level draws for the synthetic caseload: scenario, timeline and client profile.

Everything here is one numpy array per attribute, one element per case (no loops over
cases). Dates are integer day offsets from the case's opening day; the opening day
itself is counted back from the as-of date so that each scenario is in the state it
describes *at* the as-of date (e.g. "assessment overdue": screened 15+ days ago).
:mod:`casekit.sample` turns these arrays into the nine sheets.
"""

from __future__ import annotations

import numpy as np

#: Scenario -> (weight, furthest stage reached). Stage codes: 0 opened, 1 screened,
#: 2 assessed, 3 risk reviewed, 4 goals set, 5 implementation contact, 7 transition,
#: 8 post-transition contact. ``closed_without_outcomes`` draws its stage per case.
SCENARIOS: dict[str, tuple[float, int]] = {
    "no_screening_fresh": (2.5, 0),
    "no_screening_overdue": (3.0, 0),
    "screened_out_closed": (5.0, 1),
    "screened_out_open": (1.5, 1),
    "awaiting_assessment": (2.5, 1),
    "assessment_overdue": (3.0, 1),
    "risk_review_pending": (4.0, 2),
    "awaiting_plan": (2.5, 3),
    "plan_overdue": (3.5, 3),
    "plan_incomplete": (2.0, 4),
    "awaiting_implementation": (5.0, 4),
    "monitoring_on_time": (16.0, 5),
    "monitoring_overdue": (10.0, 5),
    "post_transition_ok": (5.0, 8),
    "post_transition_day7": (2.5, 8),
    "post_transition_day8": (2.5, 8),
    "post_transition_none": (3.5, 7),
    "readmitted": (3.0, 8),
    "closed_with_outcomes": (12.0, 8),
    "closed_without_outcomes": (7.0, 5),
}
SC = {name: i for i, name in enumerate(SCENARIOS)}

#: Days an open case waits at the as-of date after its last event: (low, high) per scenario.
_WAIT: dict[str, tuple[int, int]] = {
    "no_screening_fresh": (0, 6),
    "no_screening_overdue": (8, 90),
    "screened_out_open": (3, 60),
    "awaiting_assessment": (0, 13),
    "assessment_overdue": (15, 75),
    "risk_review_pending": (1, 30),
    "awaiting_plan": (0, 3),
    "plan_overdue": (15, 60),
    "plan_incomplete": (3, 40),
    "awaiting_implementation": (1, 45),
    "monitoring_on_time": (0, 12),
    "post_transition_ok": (0, 60),
    "post_transition_day7": (0, 60),
    "post_transition_day8": (0, 60),
    "post_transition_none": (1, 60),
    "readmitted": (0, 40),
}
#: Follow-up cadence by tier (low, moderate, high), as in casekit/defaults/process.toml.
CADENCE = np.array([60, 30, 14])
#: Tier shares (low, moderate, high) the profile aims for.
TIER_SHARES = (0.5, 0.3, 0.2)
#: Opened at most this many days before the as-of date (about 18 months).
HORIZON = 548

CLOSED = (SC["screened_out_closed"], SC["closed_with_outcomes"], SC["closed_without_outcomes"])


def quota(rng: np.random.Generator, weights: tuple[float, ...] | list[float], n: int) -> np.ndarray:
    """``n`` codes in proportion to ``weights`` (largest remainder), shuffled.

    Exact shares make small samples reliable: at n=500 every scenario with weight
    ≥ 1 % shows up at least five times, whatever the seed.

    >>> np.bincount(quota(np.random.default_rng(0), (0.5, 0.3, 0.2), 10)).tolist()
    [5, 3, 2]
    """
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * n
    counts = np.floor(exact).astype(np.int64)
    rest = n - counts.sum()
    if rest:
        counts[np.argsort(-(exact - counts), kind="stable")[:rest]] += 1
    return rng.permutation(np.repeat(np.arange(w.size), counts))


def ri(rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, n: int) -> np.ndarray:
    """Integers uniform in ``[low, high]`` (both inclusive, arrays allowed)."""
    return rng.integers(low, np.asarray(high) + 1, size=n)


def pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from a row-wise probability matrix (n × k)."""
    cum: np.ndarray = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(probs))[:, None] > cum[:, :-1]).sum(axis=1)


def timeline(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Scenario, latent tier and the day offsets of each stage's event, per case."""
    sc = quota(rng, [w for w, _ in SCENARIOS.values()], n)
    tier = quota(rng, TIER_SHARES, n)
    reach = np.array([r for _, r in SCENARIOS.values()])[sc]
    cwo = sc == SC["closed_without_outcomes"]
    reach = np.where(cwo, np.array([4, 5, 5, 7])[rng.integers(0, 4, n)], reach)
    closed = np.isin(sc, CLOSED)
    readm = sc == SC["readmitted"]

    d_scr = np.where(rng.random(n) < 0.9, ri(rng, 0, 6, n), ri(rng, 8, 20, n))
    d_ass = d_scr + np.where(rng.random(n) < 0.85, ri(rng, 1, 13, n), ri(rng, 15, 30, n))
    d_rev = d_ass + np.where(sc == SC["awaiting_plan"], ri(rng, 0, 2, n), ri(rng, 0, 6, n))
    d_plan = d_rev + np.where(tier == 2, ri(rng, 0, 4, n), ri(rng, 0, 8, n))
    d_impl = d_plan + ri(rng, 1, 14, n)
    monitoring = np.isin(sc, (SC["monitoring_on_time"], SC["monitoring_overdue"]))
    mon_len = np.where(monitoring, ri(rng, 0, 330, n), ri(rng, 20, 240, n))
    d_last = d_impl + mon_len
    d_tx = d_last + ri(rng, 1, 10, n)
    post_day = np.select(
        [sc == SC["post_transition_day7"], sc == SC["post_transition_day8"]], [7, 8], default=ri(rng, 1, 6, n)
    )
    d_post = d_tx + post_day
    d_tx2 = d_post + ri(rng, 5, 40, n)
    has_post2 = readm & (rng.random(n) < 0.5)
    d_post2 = d_tx2 + ri(rng, 1, 7, n)

    last = np.select(
        [reach == 0, reach == 1, reach == 2, reach == 3, reach == 4, reach == 5, reach == 7],
        [np.zeros(n, dtype=np.int64), d_scr, d_ass, d_rev, d_plan, d_last, d_tx],
        default=d_post,
    )
    last = np.where(readm, np.where(has_post2, d_post2, d_tx2), last)
    d_close = last + np.where(sc == SC["screened_out_closed"], ri(rng, 0, 14, n), ri(rng, 7, 60, n))

    lo = np.array([_WAIT.get(s, (0, 0))[0] for s in SCENARIOS])[sc]
    hi = np.array([_WAIT.get(s, (0, 0))[1] for s in SCENARIOS])[sc]
    overdue = sc == SC["monitoring_overdue"]
    lo = np.where(overdue, CADENCE[tier] + 1, lo)
    hi = np.where(overdue, CADENCE[tier] + 60, hi)
    lo = np.where(closed, 0, lo)
    hi = np.where(closed, np.maximum(0, HORIZON - 8 - d_close), hi)
    wait = ri(rng, lo, hi, n)
    end = np.where(closed, d_close, last)  # last day with evidence (closing day for closed cases)
    span = end + wait  # as-of date minus opening date, in days

    return {
        "scenario": sc,
        "tier": tier,
        "reach": reach,
        "closed": closed,
        "readmitted": readm,
        "d_scr": d_scr,
        "d_ass": d_ass,
        "d_rev": d_rev,
        "d_plan": d_plan,
        "d_impl": d_impl,
        "mon_len": mon_len,
        "d_last": d_last,
        "d_tx": d_tx,
        "d_post": d_post,
        "d_tx2": d_tx2,
        "has_post2": has_post2,
        "d_post2": d_post2,
        "last": last,
        "d_close": d_close,
        "wait": wait,
        "span": span,
    }


def _clip_round(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip(np.rint(x), lo, hi).astype(np.int64)


#: Programme shares (complex chronic, transitional, mental health, frail older adults) by latent tier.
_PROGRAMS_BY_TIER = np.array([[0.35, 0.28, 0.22, 0.15], [0.35, 0.25, 0.2, 0.2], [0.35, 0.22, 0.18, 0.25]])


def profile(rng: np.random.Generator, tier: np.ndarray) -> dict[str, np.ndarray]:
    """Client profile and assessment values correlated with a latent severity ``s``.

    ``s`` is uniform in 0–0.36 for low, 0.45–0.58 for moderate and 0.61–1 for high
    latent tiers, then lowered a little for older clients (age scores points of its
    own). The values are calibrated on the default risk model
    (``casekit/defaults/risk_model.toml``: 0–5 points low, 6–11 moderate, 12+ high):
    a typical low client scores about 3 points (some age, a chronic condition, a
    little drinking…), a moderate one about 8 and a high one about 16, and the model
    gives about 50/30/20 % low/moderate/high, most clients in their latent tier.
    Red-flag inputs (item 9 of the PHQ-9, hypertensive crisis, unsafe housing or
    home) depend on the latent tier itself and are rare outside the high tier.
    Recalibrate (and rerun ``tests/test_sample.py``) when the default model changes.
    """
    n = tier.size
    u = rng.random
    high, moderate = tier == 2, tier == 1
    s = np.select([tier == 0, moderate], [0.36 * u(n), 0.45 + 0.13 * u(n)], default=0.61 + 0.39 * u(n))
    sex = rng.choice(4, n, p=[0.52, 0.45, 0.01, 0.02])  # female, male, other, unknown
    male = sex == 1
    program = pick_rows(rng, _PROGRAMS_BY_TIER[tier])
    mental, frail = program == 2, program == 3
    age = np.where(frail, rng.normal(80, 6.5, n), rng.normal(47 + 16 * s, 15, n))
    age = np.clip(age, 18.01, 95.5)
    older = np.clip((age - 50) / 30, 0, 1.5)  # 0 under 50, 1 at 80
    # age scores points of its own (1 from 65, 2 from 75, 3 from 85): the older the
    # client, the less the other factors must add to reach the same overall risk
    s = np.clip(s - 0.04 * np.searchsorted([65, 75, 85], age, side="right"), 0, 1)

    phq9 = _clip_round(24 * s**2 + rng.normal(0, 2.5, n) + 3.5 * mental, 0, 27)
    # thoughts of self-harm (a red flag): mostly severe clients with a high PHQ-9
    p9 = np.select([high, moderate], [np.where(phq9 >= 10, 0.14, 0.03), 0.008], default=0.002)
    item9 = np.minimum(np.where(u(n) < p9, ri(rng, 1, 3, n), 0), phq9)
    gad7 = _clip_round(17 * s**2 + rng.normal(0, 2.5, n) + 2.5 * mental, 0, 21)
    drinker = u(n) < 0.55 + 0.2 * male
    audit_c = np.where(drinker, _clip_round(0.8 + 5.5 * s**1.5 + rng.normal(0, 1.1, n) + 1.2 * male, 1, 12), 0)

    sbp = _clip_round(106 + 45 * s + 8 * older + rng.normal(0, 11, n), 85, 200)
    dbp = np.minimum(_clip_round(0.45 * sbp + 17 + rng.normal(0, 6, n), 45, 125), sbp - 15)
    crisis = high & (u(n) < 0.15)  # hypertensive crisis (a red flag): high tier only
    dia_crisis = crisis & (u(n) < 0.4)  # diastolic > 120 with systolic ≤ 180
    dbp = np.where(dia_crisis, ri(rng, 121, 130, n), dbp)
    sbp = np.where(dia_crisis, np.minimum(dbp + ri(rng, 25, 50, n), 178), sbp)
    sbp = np.where(crisis & ~dia_crisis, ri(rng, 181, 215, n), sbp)
    sbp = np.where(~crisis, np.minimum(sbp, 180), sbp)
    dbp = np.minimum(np.where(~crisis, np.minimum(dbp, 120), dbp), sbp - 15)

    # BMI: centred on the overweight border; underweight and severe obesity grow with s
    bmi: np.ndarray = 24 + 8 * s + rng.normal(0, 3.6, n)
    thin = u(n) < 0.012 + 0.07 * s**2 + 0.035 * frail  # one third each: severe, moderate, mild
    bmi = np.where(thin, np.array([14.6, 16.0, 17.0])[rng.integers(0, 3, n)] + rng.uniform(0, 0.9, n), bmi)
    bmi = bmi + np.where(~thin & (u(n) < 0.02 + 0.05 * s), rng.uniform(8, 18, n), 0)
    bmi = np.round(np.clip(bmi, 14, 62), 1)

    referral_p = np.where(
        (program == 1)[:, None],
        np.array([0.75, 0.1, 0.08, 0.0, 0.05, 0.02]),
        np.array([0.25, 0.3, 0.15, 0.1, 0.15, 0.05]),
    )
    referral = pick_rows(rng, referral_p)  # hospital, primary_care, insurer, self, community, other
    hospital = referral == 0
    los = np.where(hospital, 1 + rng.poisson(1 + 9 * s), np.where(u(n) < 0.2, 1 + rng.poisson(3, n), 0))
    acute = (los > 0) & (u(n) < 0.45 + 0.45 * s)

    conditions = rng.poisson(0.15 + 4 * s**1.5 + 0.6 * older + 0.4 * (program == 0))
    medications = rng.poisson(0.3 + 1.3 * conditions + 1.5 * s)  # polypharmacy follows multimorbidity
    exercise = np.maximum(0, np.rint((250 * (1 - s) - 40 * older + rng.normal(0, 60, n)) / 10) * 10).astype(np.int64)
    ones = np.ones(n)
    return {
        "severity": s,
        "sex": sex,
        "program": program,
        "age": age,
        "referral": referral,
        "phq9": phq9,
        "phq9_item9": item9,
        "gad7": gad7,
        "audit_c": audit_c,
        "systolic_bp": sbp,
        "diastolic_bp": dbp,
        "bmi": bmi,
        "ed_visits_6m": rng.poisson(0.05 + 3 * s**2.5),
        "admissions_12m": rng.poisson(0.05 + 2.2 * s**2.2),
        "chronic_conditions": conditions,
        "charlson": np.clip(rng.poisson(0.1 + 0.6 * conditions + 1.5 * s) + (age >= 70), 0, 37),
        "medications": medications,
        "exercise_min_week": exercise,
        "tobacco_use": u(n) < 0.1 + 0.2 * s,
        "substance_use": u(n) < 0.01 + 0.12 * s**2,
        "length_of_stay_days": los,
        "acute_admission": acute,
        "health_engagement": _clip_round(4.3 - 2.5 * s + rng.normal(0, 0.7, n), 1, 5),
        "readiness_to_change": rng.choice(5, n, p=[0.1, 0.25, 0.3, 0.25, 0.1]),
        "insurance": pick_rows(rng, np.stack([ones, 0.04 + 0.25 * s**1.5, 0.01 + 0.08 * s**2], axis=1)),
        "housing": pick_rows(rng, np.stack([ones, 0.02 + 0.3 * s**2, 0.006 + 0.1 * s**3], axis=1)),
        # unsafe housing (a red flag): high tier mostly
        "housing_unsafe": u(n) < np.select([high, moderate], [0.1, 0.01], default=0.003),
        "prior_services_available": u(n) < 0.7,
        # screening (stage 1)
        "employment": pick_rows(
            rng,
            np.where(
                (age >= 66)[:, None],
                np.array([0.05, 0.02, 0.85, 0.0, 0.05, 0.03]),
                np.stack(
                    [
                        0.6 - 0.4 * s,  # employed
                        0.15 * ones,  # unemployed
                        0.02 * ones,  # retired
                        0.01 + 0.4 * (age < 28),  # student
                        0.05 + 0.35 * s,  # unable to work
                        0.04 * ones,  # unknown
                    ],
                    axis=1,
                ),
            ),
        ),
        # unsafe home (a red flag): high tier mostly
        "home_environment": pick_rows(
            rng, np.stack([ones, 0.08 + 0.3 * s**2, np.select([high, moderate], [0.2, 0.01], default=0.002)], axis=1)
        ),
        "self_management": pick_rows(rng, np.stack([ones, 0.15 + 0.5 * s, 0.03 + 0.35 * s**2], axis=1)),
        "financial_situation": pick_rows(rng, np.stack([ones, 0.06 + 0.5 * s**1.5, 0.01 + 0.2 * s**2], axis=1)),
        "support_network": pick_rows(rng, np.stack([ones, 0.08 + 0.4 * s**1.5, 0.01 + 0.15 * s**2], axis=1)),
        "claims_12m": rng.poisson(0.5 + 6 * s),
    }
