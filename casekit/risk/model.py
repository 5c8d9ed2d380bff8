"""The points model: declared in TOML, checked on load, turned into polars expressions.

A model is a list of *factors* (an input → points, by category or by numeric band), a
tier rule (score thresholds or population percentiles) and *red flags* (conditions that
force the high tier). :func:`load_model` reads and checks one; every mistake raises a
:class:`RiskModelError` (a :class:`~casekit.errors.ConfigError`) that names the file,
the factor and its line, in Spanish or English. ``docs/risk_model.md`` describes the format.

Examples
--------
>>> model = load_model()
>>> model.name, len(model.factors), model.tiers.method
('casekit default', 17, 'thresholds')
>>> model.factor("housing").points
(('stable', 0), ('at_risk', 1), ('homeless', 3))
>>> bad = '''
... [tiers]
... moderate = 2
... high = 4
... [[factors]]
... name = "housing"
... input = "assessments.housing"
... points = { homeless = 3, at_risk = "one" }
... '''
>>> try:
...     load_model(bad, lang="en")
... except ConfigError as err:
...     print(err)
Risk model (text), factor «housing» (line 5): the points for «at_risk» must be a number, not «one».
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from casekit.contract import SHEETS, VOCABS
from casekit.errors import ConfigError
from casekit.i18n import t
from casekit.risk.instruments import BMI_CLASSES, BP_CATEGORIES, GAD7_SEVERITIES, LACE_TIERS, PHQ9_SEVERITIES

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DERIVED_INPUTS",
    "TIERS",
    "Band",
    "Factor",
    "InputSpec",
    "RedFlag",
    "RiskModel",
    "RiskModelError",
    "TierRule",
    "default_model_text",
    "load_model",
]

#: The shipped default model.
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "defaults" / "risk_model.toml"
#: Tier ids, from lowest to highest.
TIERS: tuple[str, ...] = tuple(VOCABS["tier"])
#: Sheets whose columns a model may use: the latest assessment, the latest screening, the case.
INPUT_SHEETS: tuple[str, ...] = ("assessments", "screenings", "cases")


@dataclass(frozen=True)
class InputSpec:
    """Where a factor's value comes from and what it can hold.

    ``source`` is ``"assessments"``, ``"screenings"``, ``"cases"`` or ``"derived"``;
    ``column`` is the sheet's column (for derived inputs, the input's own name).
    """

    name: str
    source: str
    column: str
    kind: str  # "category" | "text" | "bool" | "int" | "float"
    values: tuple[str, ...] | None = None  # allowed category ids (None: any text)
    lo: float | None = None  # inclusive lower bound of the domain
    hi: float | None = None  # inclusive upper bound of the domain
    local: bool = False  # a team's own column, not in the data contract (declared with ``type``)

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")


#: Inputs computed by casekit from the raw columns (instrument outputs and age).
DERIVED_INPUTS: dict[str, InputSpec] = {
    spec.name: spec
    for spec in (
        InputSpec("age", "derived", "age", "int", lo=0),
        InputSpec("phq9_severity", "derived", "phq9_severity", "category", PHQ9_SEVERITIES),
        InputSpec("gad7_severity", "derived", "gad7_severity", "category", GAD7_SEVERITIES),
        InputSpec("auditc_positive", "derived", "auditc_positive", "bool"),
        InputSpec("bp_category", "derived", "bp_category", "category", BP_CATEGORIES),
        InputSpec("bmi_class", "derived", "bmi_class", "category", BMI_CLASSES),
        InputSpec("lace_score", "derived", "lace_score", "int", lo=0, hi=19),
        InputSpec("lace_tier", "derived", "lace_tier", "category", LACE_TIERS),
    )
}


def _sheet_input(sheet: str, column: str) -> InputSpec | None:
    col = SHEETS[sheet].columns.get(column)
    if col is None or col.kind in ("id", "date"):
        return None
    values = tuple(VOCABS[col.vocab]) if col.kind == "category" and col.vocab else None
    return InputSpec(f"{sheet}.{column}", sheet, column, col.kind, values, col.ge, col.le)


def resolve_input(name: str) -> InputSpec | None:
    """The input a model names: a derived input, ``<sheet>.<column>``, or a bare column
    name looked up in assessments, then screenings, then cases. ``None`` if unknown.

    >>> resolve_input("screenings.support_network").values
    ('strong', 'limited', 'none')
    >>> resolve_input("tobacco_use").name
    'assessments.tobacco_use'
    >>> resolve_input("cases.birth_date") is None  # dates are not inputs; use "age"
    True
    """
    if name in DERIVED_INPUTS:
        return DERIVED_INPUTS[name]
    if "." in name:
        sheet, _, column = name.partition(".")
        return _sheet_input(sheet, column) if sheet in INPUT_SHEETS else None
    for sheet in INPUT_SHEETS:
        spec = _sheet_input(sheet, name)
        if spec is not None:
            return spec
    return None


def norm(text: str) -> str:
    """A category of a team's own column as compared: case, accents, spaces, ``-`` and
    ``_`` ignored (the reader's rule for vocabularies; :func:`norm_expr` on data).

    >>> norm("Muy Alta"), norm("muy_alta")
    ('muyalta', 'muyalta')
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", "", plain.casefold())


def norm_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`norm` over a string column."""
    return expr.str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase().str.replace_all(r"[\s_\-]+", "")


#: ``type`` of a local input (a team's own column) → the input's kind.
LOCAL_TYPES: dict[str, str] = {"bool": "bool", "number": "float", "category": "category"}


def local_input(name: str, type_: str) -> InputSpec | None:
    """A team's own column declared in the model: ``<sheet>.<column>`` (sheet assessments,
    screenings or cases; a bare name is an assessment column) with its ``type``
    (:data:`LOCAL_TYPES`). ``None`` when the sheet or type is unknown, or the column is
    one of the contract's (those need no type).

    >>> local_input("food_insecurity", "bool")
    InputSpec(name='assessments.food_insecurity', source='assessments', column='food_insecurity', kind='bool', \
values=None, lo=None, hi=None, local=True)
    >>> local_input("screenings.falls_12m", "number").kind, local_input("cases.phq9", "text")
    ('float', None)
    """
    sheet, _, column = name.rpartition(".")
    sheet = sheet or "assessments"
    kind = LOCAL_TYPES.get(type_)
    if kind is None or sheet not in INPUT_SHEETS or column in SHEETS[sheet].columns:
        return None
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column):
        return None
    return InputSpec(f"{sheet}.{column}", sheet, column, kind, local=True)


# --------------------------------------------------------------------------------------
# Model objects
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Numeric band ``lo <= x < hi`` (``None``: unbounded) worth ``points``."""

    lo: float | None
    hi: float | None
    points: float

    def condition(self, x: pl.Expr) -> pl.Expr:
        cond = pl.lit(True)
        if self.lo is not None:
            cond = cond & (x >= self.lo)
        if self.hi is not None:
            cond = cond & (x < self.hi)
        return cond


@dataclass(frozen=True)
class Factor:
    """One factor: ``points`` (category → points) or ``bands`` (numeric)."""

    name: str
    input: InputSpec
    points: tuple[tuple[str, float], ...] = ()
    bands: tuple[Band, ...] = ()
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def label(self, lang: str | None = None) -> str:
        """Display name in ``lang`` (the model's ``label`` table, else the factor name)."""
        return self.labels.get(lang or "en") or self.labels.get("en") or self.name

    def points_expr(self, x: pl.Expr) -> pl.Expr:
        """Points for value ``x``; null when ``x`` is null (the factor is missing)."""
        if self.bands:
            expr: Then | ChainedThen = pl.when(x.is_null()).then(pl.lit(None))
            for band in self.bands:
                expr = expr.when(band.condition(x)).then(pl.lit(band.points))
            return expr.otherwise(pl.lit(0))
        if self.input.kind == "bool":
            table = dict(self.points)
            return pl.when(x).then(pl.lit(table.get("true", 0))).when(~x).then(pl.lit(table.get("false", 0)))
        mapping = dict(self.points)
        return pl.when(x.is_not_null()).then(x.replace_strict(mapping, default=0))


@dataclass(frozen=True)
class RedFlag:
    """A condition that forces the high tier: ``values`` (category/bool) or a band."""

    name: str
    input: InputSpec
    values: tuple[str, ...] = ()
    band: Band | None = None
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def label(self, lang: str | None = None) -> str:
        return self.labels.get(lang or "en") or self.labels.get("en") or self.name

    def condition(self, x: pl.Expr) -> pl.Expr:
        """True when raised; False when not or when the input is missing."""
        if self.band is not None:
            cond = self.band.condition(x)
        elif self.input.kind == "bool":
            wanted = {v == "true" for v in self.values}
            cond = x if wanted == {True} else ~x if wanted == {False} else x.is_not_null()
        else:
            cond = x.is_in(list(self.values))
        return cond.fill_null(False)


@dataclass(frozen=True)
class TierRule:
    """``thresholds``: minimum score of moderate and high; ``percentiles``: the share
    of cases in high (top) and moderate (next)."""

    method: str = "thresholds"
    moderate: float = 6
    high: float = 12


@dataclass(frozen=True)
class RiskModel:
    """A checked points model (see :func:`load_model`)."""

    name: str
    factors: tuple[Factor, ...]
    red_flags: tuple[RedFlag, ...]
    tiers: TierRule
    provisional_share: float = 0.5
    version: str = ""
    source: str = ""
    text: str = field(default="", repr=False, compare=False)

    def factor(self, name: str) -> Factor:
        """The factor called ``name`` (``KeyError`` if none)."""
        for f in self.factors:
            if f.name == name:
                return f
        raise KeyError(name)

    def inputs(self) -> tuple[InputSpec, ...]:
        """Every input the factors and red flags read, once each."""
        seen: dict[str, InputSpec] = {}
        items: tuple[Factor | RedFlag, ...] = (*self.factors, *self.red_flags)
        for item in items:
            seen.setdefault(item.input.name, item.input)
        return tuple(seen.values())

    @property
    def integer_points(self) -> bool:
        """True when every point value is a whole number (scores are then integers)."""
        values = [p for f in self.factors for _, p in f.points] + [b.points for f in self.factors for b in f.bands]
        return all(float(v).is_integer() for v in values)

    @property
    def points_dtype(self) -> pl.DataType:
        """The dtype of each factor's points (``pts_<factor>``): ``Int8`` when every point value
        is a whole number from -128 to 127 (the bundled model: 0–4), else ``Int64``; ``Float64``
        when one is not whole. A factor gives one of its values, or 0, or null.

        >>> big = load_model("[[factors]]|name='x'|input='tobacco_use'|points={true=200}".replace("|", chr(10)))
        >>> load_model().points_dtype, big.points_dtype
        (Int8, Int64)
        """
        if not self.integer_points:
            return pl.Float64()
        values = [p for f in self.factors for _, p in f.points] + [b.points for f in self.factors for b in f.bands]
        return pl.Int8() if all(-128 <= v <= 127 for v in values) else pl.Int64()


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class RiskModelError(ConfigError):
    """A broken risk model. The message says where (file, factor or section, line) and what."""

    def __init__(self, key: str, /, lang: str | None = None, *, where: tuple[str, dict[str, Any]], **params: object):
        self.where = where
        super().__init__(key, lang=lang, **params)

    def message(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        where_key, where_params = self.where
        source = where_params.get("source") or t("risk.text_source", lang)
        where = t(where_key, lang, **{**where_params, "source": source})
        return f"{where} {t(self.key, lang, **self.params)}"


class _Checker:
    """Builds a :class:`RiskModel` from parsed TOML, raising on the first mistake."""

    def __init__(self, text: str, source: str, lang: str | None) -> None:
        self.text, self.source, self.lang = text, source, lang
        self.lines = text.splitlines()

    # ---- where ----
    def _header_line(self, header: str, index: int, name: str | None) -> int | None:
        """Line of the ``index``-th ``[[header]]`` table (1-based), else of ``name = "..."``."""
        pattern = re.compile(rf"^\s*\[\[\s*{header}\s*\]\]")
        found = [i + 1 for i, line in enumerate(self.lines) if pattern.match(line)]
        if index < len(found):
            return found[index]
        if name:
            needle = re.compile(rf"""name\s*=\s*["']{re.escape(name)}["']""")
            for i, line in enumerate(self.lines):
                if needle.search(line):
                    return i + 1
        return None

    def _section_line(self, section: str) -> int | None:
        pattern = re.compile(rf"^\s*\[\s*{section}\s*\]")
        return next((i + 1 for i, line in enumerate(self.lines) if pattern.match(line)), None)

    def fail(self, msg: str, where: tuple[str, dict[str, Any]], /, **params: object) -> RiskModelError:
        where_key, where_params = where
        if where_params.get("line") is None:
            where_key += "_noline"
        where_params = {"source": self.source, **where_params}
        return RiskModelError(f"risk.{msg}", lang=self.lang, where=(f"risk.where_{where_key}", where_params), **params)

    # ---- pieces ----
    def model(self, doc: dict[str, Any]) -> RiskModel:
        top: tuple[str, dict[str, Any]] = ("file", {})
        for key in doc:
            if key not in ("model", "tiers", "factors", "red_flags"):
                raise self.fail("unknown_section", top, section=key)
        meta = doc.get("model", {})
        if not isinstance(meta, dict):
            raise self.fail("not_a_table", top, section="model")
        share = meta.get("provisional_share", 0.5)
        if not _is_number(share) or not 0 <= share <= 1:
            raise self.fail("bad_share", ("section", {"section": "model", "line": self._section_line("model")}))
        factors_doc = doc.get("factors")
        if not isinstance(factors_doc, list) or not factors_doc:
            raise self.fail("no_factors", top)
        factors = tuple(self.factor(i, f) for i, f in enumerate(factors_doc))
        names = [f.name for f in factors]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail("duplicate_name", self._where("factor", i, name), name=name)
        flags_doc = doc.get("red_flags", [])
        if not isinstance(flags_doc, list):
            raise self.fail("not_a_table", top, section="red_flags")
        flags = tuple(self.red_flag(i, f) for i, f in enumerate(flags_doc))
        flag_names = [f.name for f in flags]
        for i, name in enumerate(flag_names):
            if name in flag_names[:i]:
                raise self.fail("duplicate_name", self._where("red_flag", i, name), name=name)
        return RiskModel(
            name=str(meta.get("name", "")),
            factors=factors,
            red_flags=flags,
            tiers=self.tiers(doc.get("tiers", {})),
            provisional_share=float(share),
            version=str(meta.get("version", "")),
            source=self.source,
            text=self.text,
        )

    def _where(self, kind: str, index: int, name: str | None) -> tuple[str, dict[str, Any]]:
        header = "factors" if kind == "factor" else "red_flags"
        label = name if name else f"#{index + 1}"
        return kind, {"name": label, "line": self._header_line(header, index, name)}

    def _common(self, kind: str, index: int, doc: Any, allowed: set[str]) -> tuple[str, InputSpec, dict[str, str]]:
        if not isinstance(doc, dict):
            raise self.fail("not_a_table", self._where(kind, index, None), section=kind)
        name = doc.get("name")
        where = self._where(kind, index, name if isinstance(name, str) else None)
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise self.fail("bad_name", where, name=name)
        for key in doc:
            if key not in allowed:
                raise self.fail("unknown_key", where, key=key)
        raw_input = doc.get("input")
        spec = resolve_input(raw_input) if isinstance(raw_input, str) else None
        if "type" in doc:  # a team's own column of a sheet
            if spec is not None and not spec.local:
                raise self.fail("type_of_known_input", where, input=raw_input)
            spec = local_input(raw_input, doc["type"]) if isinstance(raw_input, str) else None
            if spec is None:
                raise self.fail(
                    "bad_local_input", where, input=raw_input, type=doc["type"], types=", ".join(LOCAL_TYPES)
                )
        if spec is None:
            raise self.fail("unknown_input", where, input=raw_input, derived=", ".join(DERIVED_INPUTS))
        labels = doc.get("label", {})
        if isinstance(labels, str):
            labels = {"en": labels, "es": labels}
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise self.fail("bad_label", where)
        return name, spec, dict(labels)

    def factor(self, index: int, doc: Any) -> Factor:
        name, spec, labels = self._common("factor", index, doc, {"name", "input", "type", "label", "points", "bands"})
        where = self._where("factor", index, name)
        has_points, has_bands = "points" in doc, "bands" in doc
        if spec.numeric:
            if not has_bands or has_points:
                raise self.fail("needs_bands", where, input=spec.name)
            return Factor(name, spec, bands=self.bands(doc["bands"], spec, where), labels=labels)
        if not has_points or has_bands:
            raise self.fail("needs_points", where, input=spec.name)
        return Factor(name, spec, points=self.points(doc["points"], spec, where), labels=labels)

    def _value_ok(self, value: str, spec: InputSpec) -> bool:
        if spec.kind == "bool":
            return value in ("true", "false")
        return spec.values is None or value in spec.values

    def _allowed(self, spec: InputSpec) -> str:
        return "true, false" if spec.kind == "bool" else ", ".join(spec.values or ())

    def points(self, doc: Any, spec: InputSpec, where: tuple[str, dict[str, Any]]) -> tuple[tuple[str, float], ...]:
        if not isinstance(doc, dict) or not doc:
            raise self.fail("bad_points_table", where)
        out = []
        for value, pts in doc.items():
            if not self._value_ok(value, spec):
                raise self.fail("unknown_value", where, value=value, input=spec.name, allowed=self._allowed(spec))
            if not _is_number(pts):
                raise self.fail("bad_points", where, value=value, points=pts)
            # a local category matches ignoring case, accents, spaces and dashes (as vocabularies do)
            out.append((norm(value) if spec.local and spec.kind == "category" else value, pts))
        return tuple(out)

    def bands(self, doc: Any, spec: InputSpec, where: tuple[str, dict[str, Any]]) -> tuple[Band, ...]:
        if not isinstance(doc, list) or not doc:
            raise self.fail("bad_bands", where)
        bands = [self.band(b, spec, where, n) for n, b in enumerate(doc, start=1)]
        ordered = sorted(bands, key=lambda b: -math.inf if b.lo is None else b.lo)
        first, last = ordered[0], ordered[-1]
        if first.lo is not None and (spec.lo is None or first.lo > spec.lo):
            raise self.fail("gap_below", where, value=_num(first.lo))
        for prev, nxt in itertools.pairwise(ordered):
            if prev.hi is None or nxt.lo is None or prev.hi > nxt.lo:
                at = nxt.lo if nxt.lo is not None else prev.lo
                raise self.fail("overlap", where, value=_num(at) if at is not None else "-∞")
            if prev.hi < nxt.lo:
                raise self.fail("gap", where, start=_num(prev.hi), end=_num(nxt.lo))
        if last.hi is not None and (spec.hi is None or last.hi <= spec.hi):
            raise self.fail("gap_above", where, value=_num(last.hi))
        return tuple(ordered)

    def band(self, doc: Any, spec: InputSpec, where: tuple[str, dict[str, Any]], n: int) -> Band:
        if not isinstance(doc, dict):
            raise self.fail("bad_band", where, n=n)
        for key in doc:
            if key not in ("min", "max", "below", "points"):
                raise self.fail("unknown_key", where, key=key)
        if "points" not in doc:
            raise self.fail("band_no_points", where, n=n)
        if not _is_number(doc["points"]):
            raise self.fail("bad_points", where, value=f"#{n}", points=doc["points"])
        lo, hi = self._bounds(doc, spec, where, n)
        if lo is not None and hi is not None and lo >= hi:
            raise self.fail("empty_band", where, n=n)
        return Band(lo, hi, doc["points"])

    def _bounds(
        self, doc: dict[str, Any], spec: InputSpec, where: tuple[str, dict[str, Any]], n: int
    ) -> tuple[float | None, float | None]:
        for key in ("min", "max", "below"):
            if key in doc and not _is_number(doc[key]):
                raise self.fail("bad_bound", where, n=n, key=key, value=doc[key])
        if "max" in doc and "below" in doc:
            raise self.fail("max_and_below", where, n=n)
        hi = doc.get("below")
        if "max" in doc:
            if spec.kind != "int" or not float(doc["max"]).is_integer():
                raise self.fail("max_needs_integer", where, n=n, input=spec.name)
            hi = doc["max"] + 1
        return doc.get("min"), hi

    def red_flag(self, index: int, doc: Any) -> RedFlag:
        name, spec, labels = self._common(
            "red_flag", index, doc, {"name", "input", "type", "label", "values", "min", "max", "below"}
        )
        where = self._where("red_flag", index, name)
        has_band = any(k in doc for k in ("min", "max", "below"))
        if spec.numeric:
            if not has_band or "values" in doc:
                raise self.fail("flag_needs_band", where, input=spec.name)
            lo, hi = self._bounds(doc, spec, where, 1)
            if lo is not None and hi is not None and lo >= hi:
                raise self.fail("empty_band", where, n=1)
            return RedFlag(name, spec, band=Band(lo, hi, 0), labels=labels)
        values = doc.get("values")
        if has_band or not isinstance(values, list) or not values:
            raise self.fail("flag_needs_values", where, input=spec.name)
        out = []
        for value in values:
            text = str(value).lower() if isinstance(value, bool) else value
            if not isinstance(text, str) or not self._value_ok(text, spec):
                raise self.fail("unknown_value", where, value=value, input=spec.name, allowed=self._allowed(spec))
            out.append(norm(text) if spec.local and spec.kind == "category" else text)
        return RedFlag(name, spec, values=tuple(out), labels=labels)

    def tiers(self, doc: Any) -> TierRule:
        where = ("section", {"section": "tiers", "line": self._section_line("tiers")})
        if not isinstance(doc, dict):
            raise self.fail("not_a_table", where, section="tiers")
        method = doc.get("method", "thresholds")
        if method not in ("thresholds", "percentiles"):
            raise self.fail("unknown_method", where, method=method)
        for key in doc:
            if key != "method" and key not in TIERS:
                raise self.fail("unknown_tier", where, tier=key, tiers=", ".join(TIERS))
        if method == "thresholds":
            moderate, high = doc.get("moderate", 6), doc.get("high", 12)
            low = doc.get("low", 0)
            if not all(_is_number(v) for v in (low, moderate, high)) or not moderate < high:
                raise self.fail("bad_thresholds", where)
        else:
            moderate, high = doc.get("moderate", 0.20), doc.get("high", 0.05)
            if "low" in doc:
                raise self.fail("percentile_low", where)
            if not all(_is_number(v) and 0 <= v <= 1 for v in (moderate, high)) or moderate + high > 1:
                raise self.fail("bad_percentiles", where)
        return TierRule(method, moderate, high)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def default_model_text() -> str:
    """The shipped default model, as TOML text (copy it to write your own)."""
    return DEFAULT_MODEL_PATH.read_text(encoding="utf-8")


@cache
def _default_model() -> RiskModel:
    return _parse(default_model_text(), DEFAULT_MODEL_PATH.name, None)


def _parse(text: str, source: str, lang: str | None) -> RiskModel:
    checker = _Checker(text, source, lang)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", detail)
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", detail)
        where = ("file", {"line": line, "column": column}) if line else ("file", {})
        raise checker.fail("syntax", where, detail=detail) from None
    return checker.model(doc)


def load_model(path_or_text: str | Path | None = None, *, lang: str | None = None) -> RiskModel:
    """Read and check a risk model: the shipped default (``None``), a ``.toml`` file, or TOML text.

    A ``Path``, or a string without a newline that names an existing file or ends in
    ``.toml``, is read as a file; any other string is TOML text. Every mistake raises
    :class:`RiskModelError` (a ``ConfigError``) naming the file, the factor or section
    and, where possible, the line; ``lang`` is the language of its message
    (``err.message("es")`` renders it in another).

    Examples
    --------
    >>> load_model().tiers
    TierRule(method='thresholds', moderate=6, high=12)
    >>> try:
    ...     load_model("[[factors]]\\nname = 'x'\\ninput = 'assessments.shoe_size'\\nbands = []")
    ... except ConfigError as err:
    ...     print(err.message("es").split(". ")[0])
    Modelo de riesgo (texto), factor «x» (línea 1): entrada desconocida «assessments.shoe_size»
    """
    if path_or_text is None:
        return _default_model()
    if isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and (path_or_text.lower().endswith(".toml") or Path(path_or_text).is_file())
    ):
        path = Path(path_or_text)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RiskModelError(
                "risk.unreadable", lang=lang, where=("risk.where_file_noline", {"source": path.name}), detail=str(exc)
            ) from None
        return _parse(text, path.name, lang)
    return _parse(path_or_text, "", lang)
