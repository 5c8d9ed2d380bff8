"""The measures catalogue: what casekit knows about each outcome measure (issue 17).

For each known measure: its outcome domain, direction (``higher_is_better``), kind
(``score``, ``count``, ``cost``, ``income``, ``rating``), unit, whether it is measured
only once after care (``post_only``, e.g. satisfaction at discharge), and where published
its minimal clinically important difference (``mcid``) and response / remission rules.
Count and cost measures carry their look-back window (``window_months``) so that rates
per member-month compare before and after.

The shipped catalogue is ``casekit/defaults/measures.toml``; a user file lists only the
measures it adds or changes. Measure names match ignoring case, spaces, dashes and
underscores (``PHQ-9`` = ``phq9``), plus each entry's ``aliases``. Sources and rules:
``docs/outcomes.md``.

Examples
--------
>>> cat = load_measures()
>>> phq = cat.get("phq9")
>>> phq.name, phq.mcid, phq.response_reduction, phq.remission_below, phq.baseline_min
('PHQ-9', 5.0, 0.5, 5.0, 10.0)
>>> cat.get("CSQ-8").post_only, cat.get("monthly_income").domain, cat.get("monthly_cost").domain
(True, 'financial', 'utilization')
>>> cat.get("my_own_scale") is None
True
>>> load_measures("[measures.falls]\\ndomain = 'physical_function'\\nhigher_is_better = false\\nkind = 'count'"
...               "\\nwindow_months = 3").get("falls").window_months
3.0
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, overload

import polars as pl

from casekit.contract import VOCABS
from casekit.errors import ConfigError

__all__ = [
    "CATALOGUE_COLUMNS",
    "DEFAULT_MEASURES_FILE",
    "KINDS",
    "Measure",
    "MeasureCatalogue",
    "evaluates_alone",
    "load_measures",
    "measure_key",
    "post_only_keys",
]

#: The shipped catalogue.
DEFAULT_MEASURES_FILE = Path(__file__).resolve().parent / "defaults" / "measures.toml"
#: Kinds of measure.
KINDS: tuple[str, ...] = ("score", "count", "cost", "income", "rating")


@overload
def measure_key(name: str) -> str: ...
@overload
def measure_key(name: pl.Expr) -> pl.Expr: ...
def measure_key(name: pl.Expr | str) -> pl.Expr | str:
    """The matching key of a measure name: lower case, letters and digits only.

    >>> measure_key("PHQ-9"), measure_key(" phq_9 ")
    ('phq9', 'phq9')
    """
    if isinstance(name, str):
        return re.sub(r"[^0-9a-z]", "", name.lower())
    return name.str.to_lowercase().str.replace_all(r"[^0-9a-z]", "")


@dataclass(frozen=True)
class Measure:
    """One catalogued measure (null fields: not defined for it)."""

    name: str
    domain: str
    higher_is_better: bool
    kind: str
    unit: str = ""
    post_only: bool = False
    mcid: float | None = None
    response_reduction: float | None = None
    remission_below: float | None = None
    baseline_min: float | None = None
    window_months: float | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""


#: Columns of :meth:`MeasureCatalogue.frame`.
CATALOGUE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Measure) if f.name != "aliases")
_FLOATS = ("mcid", "response_reduction", "remission_below", "baseline_min", "window_months")


@dataclass(frozen=True)
class MeasureCatalogue:
    """The measures casekit knows, by name (see :func:`load_measures`)."""

    measures: tuple[Measure, ...]

    def get(self, name: str) -> Measure | None:
        """The measure called ``name`` (or one of its aliases), None when uncatalogued."""
        return self._index().get(measure_key(name))

    def _index(self) -> dict[str, Measure]:
        out: dict[str, Measure] = {}
        for m in self.measures:
            for n in (m.name, *m.aliases):
                out[measure_key(n)] = m
        return out

    @property
    def post_only(self) -> tuple[str, ...]:
        """Names of the post-only measures."""
        return tuple(m.name for m in self.measures if m.post_only)

    def frame(self) -> pl.DataFrame:
        """One row per catalogued name (aliases too): ``_key`` then :data:`CATALOGUE_COLUMNS`.

        >>> load_measures().frame().filter(pl.col("_key") == "urgencias6m")["name"].to_list()
        ['ed_visits_6m']
        """
        fields_of = {id(m): asdict(m) for m in self.measures}  # once per measure, not per column
        rows = [{"_key": k, **{c: fields_of[id(m)][c] for c in CATALOGUE_COLUMNS}} for k, m in self._index().items()]
        schema = {"_key": pl.String, "name": pl.String, "domain": pl.String, "higher_is_better": pl.Boolean}
        schema |= {"kind": pl.String, "unit": pl.String, "post_only": pl.Boolean}
        schema |= dict.fromkeys(_FLOATS, pl.Float64) | {"source": pl.String}
        return pl.DataFrame(rows, schema=schema)

    def with_catalogue(self, rows: pl.LazyFrame, measure: str = "measure") -> pl.LazyFrame:
        """Join the catalogue's columns (prefixed ``cat_``) to ``rows`` by measure name;
        ``cat_name`` is null for an uncatalogued measure."""
        cat = self.frame().lazy().rename({c: f"cat_{c}" for c in CATALOGUE_COLUMNS})
        # the matching key of each distinct name (a few), not of every row
        names = (
            rows.select(pl.col(measure).unique())
            .with_columns(_key=measure_key(pl.col(measure).cast(pl.String)))  # text, or an Enum of texts
            .join(cat, on="_key", how="left")
            .drop("_key")
        )
        return rows.join(names, on=measure, how="left", maintain_order="left")


def load_measures(
    path_or_text: str | Path | bytes | MeasureCatalogue | None = None, *, lang: str | None = None
) -> MeasureCatalogue:
    """Read a measures catalogue: ``None`` → the shipped one; a path or a ``*.toml`` path
    string → that file; other text (or bytes) → TOML. A user's measures are added to the
    shipped ones (same name: the user's entry replaces it).

    Raises :class:`~casekit.errors.ConfigError` (in ``lang``) naming the measure and key
    for invalid TOML, unknown keys, domains or kinds, and values of the wrong type.

    >>> load_measures("[measures.x]\\ndomain = 'money'\\nhigher_is_better = true\\nkind = 'cost'")
    Traceback (most recent call last):
    ...
    casekit.errors.ConfigError: «measures.x.domain» in the measures catalogue must be one of ... (found 'money').
    """
    if isinstance(path_or_text, MeasureCatalogue):
        return path_or_text
    if path_or_text is None:
        return _defaults()
    name, text = _source(path_or_text, lang)
    own = _parse(text, name, lang)
    keys = {measure_key(m.name) for m in own.measures}
    kept = tuple(m for m in _defaults().measures if measure_key(m.name) not in keys)
    return MeasureCatalogue((*kept, *own.measures))


def post_only_keys(measures: MeasureCatalogue | str | Path | bytes | None = None) -> list[str]:
    """Matching keys (:func:`measure_key`) of the post-only measures of a catalogue (the
    shipped one by default, or a team's file, see :func:`load_measures`) and their aliases.

    >>> post_only_keys()
    ['csq8']
    >>> post_only_keys("[measures.CSQ-8]\\ndomain = 'satisfaction'\\nhigher_is_better = true\\nkind = 'rating'")
    []
    """
    return [measure_key(n) for m in load_measures(measures).measures if m.post_only for n in (m.name, *m.aliases)]


def evaluates_alone(measure: pl.Expr, measures: MeasureCatalogue | str | Path | bytes | None = None) -> pl.Expr:
    """Whether a later (follow-up or discharge) value of ``measure`` evaluates a case on its
    own, without a baseline: the catalogue's post-only measures (satisfaction at discharge).
    The one place of that rule, used by the stage engine for stage 9 (issue 17).

    >>> frame = pl.DataFrame({"measure": ["CSQ-8", "PHQ-9", "falls"]})
    >>> frame.select(evaluates_alone(pl.col("measure")))["measure"].to_list()
    [True, False, False]
    >>> own = ("[measures.falls]\\ndomain = 'physical_function'\\nhigher_is_better = false"
    ...        "\\nkind = 'count'\\npost_only = true")
    >>> frame.select(evaluates_alone(pl.col("measure"), own))["measure"].to_list()
    [True, False, True]
    """
    return measure_key(measure).is_in(post_only_keys(measures))


@cache
def _defaults() -> MeasureCatalogue:
    return _parse(DEFAULT_MEASURES_FILE.read_text(encoding="utf-8"), DEFAULT_MEASURES_FILE.name, None)


def _source(obj: str | Path | bytes, lang: str | None) -> tuple[str, str]:
    if isinstance(obj, bytes):
        return "<bytes>", obj.decode("utf-8-sig", errors="replace")
    if isinstance(obj, Path) or ("\n" not in obj and "=" not in obj and obj.strip().lower().endswith(".toml")):
        path = Path(obj)
        try:
            return path.name, path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise ConfigError("outcomes.measures_missing_file", lang=lang, file=str(path)) from None
    return "<text>", str(obj)


def _parse(text: str, name: str, lang: str | None) -> MeasureCatalogue:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("outcomes.measures_bad_toml", lang=lang, file=name, detail=str(exc)) from None
    unknown = [k for k in raw if k != "measures"]
    if unknown or not isinstance(raw.get("measures", {}), dict):
        key = (unknown or ["measures"])[0]
        raise ConfigError("outcomes.measures_unknown_key", lang=lang, key=key, known="measures")
    return MeasureCatalogue(tuple(_measure(n, spec, lang) for n, spec in raw.get("measures", {}).items()))


def _measure(name: str, spec: Any, lang: str | None) -> Measure:  # noqa: PLR0912 - one check per key, in order
    where = f"measures.{name}"
    if not isinstance(spec, dict):
        raise ConfigError("outcomes.measures_unknown_key", lang=lang, key=where, known="[measures.NAME]")
    known = [f.name for f in fields(Measure) if f.name != "name"]
    for key in spec:
        if key not in known:
            raise ConfigError("outcomes.measures_unknown_key", lang=lang, key=f"{where}.{key}", known=", ".join(known))
    for key in ("domain", "higher_is_better", "kind"):
        if key not in spec:
            raise ConfigError("outcomes.measures_missing_key", lang=lang, key=f"{where}.{key}")

    def bad(key: str, expected: str) -> ConfigError:
        return ConfigError(
            "outcomes.measures_bad_value", lang=lang, key=f"{where}.{key}", expected=expected, value=repr(spec[key])
        )

    if spec["domain"] not in VOCABS["outcome_domain"]:
        raise bad("domain", ", ".join(VOCABS["outcome_domain"]))
    if spec["kind"] not in KINDS:
        raise bad("kind", ", ".join(KINDS))
    values: dict[str, Any] = {"name": name, "domain": spec["domain"], "kind": spec["kind"]}
    for key in ("higher_is_better", "post_only"):
        if key in spec:
            if not isinstance(spec[key], bool):
                raise bad(key, "true, false")
            values[key] = spec[key]
    for key in _FLOATS:
        if key in spec:
            v = spec[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise bad(key, "≥ 0")
            values[key] = float(v)
    for key in ("unit", "source"):
        if key in spec:
            if not isinstance(spec[key], str):
                raise bad(key, "text")
            values[key] = spec[key]
    if "aliases" in spec:
        if not isinstance(spec["aliases"], list) or not all(isinstance(a, str) for a in spec["aliases"]):
            raise bad("aliases", "[text, …]")
        values["aliases"] = tuple(spec["aliases"])
    return Measure(**values)
