"""Regenerate the bundled sample data in this folder.

Run from anywhere: ``python sample_data/make_sample_data.py``. Writes

- ``casekit_muestra_es.xlsx``: 500 synthetic cases (seed 2026), Spanish sheet names,
  headers, labels and free text;
- ``casekit_sample_en/``: the same 500 cases as English CSV files (canonical ids);
- ``casekit_broken_es.xlsx``: about 30 cases with one deliberate mistake of each kind,
  to show off the validation report (see ``BROKEN`` below and README.md);
- ``modelo_riesgo_local_es.toml`` / ``risk_model_local_en.toml``: the shipped risk model
  plus one local risk factor on the sample's own column (``LOCAL_COLUMN``), to upload in
  the app's settings and see a team's own column scored, explained and turned by a knob.

Both clean sample files carry, beside the data contract's columns, one column of the
team's own on the assessments (``LOCAL_COLUMN``: food insecurity, yes/no), drawn with its
own seed, so that ``make_sample``'s frames are unchanged.

Every file is stated as of :data:`casekit.sample.SAMPLE_AS_OF` (2026-09-30).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from casekit.contract import SHEETS, VOCABS
from casekit.data import CaseData
from casekit.export import write_workbook
from casekit.i18n import t
from casekit.risk.model import default_model_text
from casekit.sample import SAMPLE_AS_OF, make_sample

HERE = Path(__file__).resolve().parent
N_CASES = 500
SEED = 2026
BROKEN_CASES = 30
BROKEN_SEED = 7

#: The mistakes planted in the broken workbook, each on a different case:
#: (sheet, column, the check the validation report should show).
BROKEN: tuple[tuple[str, str, str], ...] = (
    ("cases", "opened_on", "not_a_date"),  # 31/02/2026 does not exist
    ("cases", "case_id", "duplicate"),  # an extra row repeats case C00004
    ("cases", "client_name", ""),  # =HYPERLINK(...): plain text, neutralised on export
    ("screenings", "case_id", "required"),  # a missing case_id
    ("screenings", "screened_on", "before_opening"),  # 5 days before the opening
    ("assessments", "phq9", "out_of_range"),  # 31
    ("assessments", "ed_visits_6m", "not_a_number"),  # "dos"
    ("assessments", "diastolic_bp", "value_order"),  # diastolic above systolic
    ("goals", "achieved_on", "achieved_on_missing"),  # achieved goal without its date
    ("contacts", "status", "not_allowed"),  # "Aplazado"
    ("contacts", "case_id", "unknown_case"),  # C99999
)


#: The sample's own column on the assessments (not in the data contract), by language:
#: a local risk factor a team adds to its model (docs/risk_model.md).
LOCAL_COLUMN = {"en": "food_insecurity", "es": "inseguridad_alimentaria"}
#: The example models written beside the sample, by language.
LOCAL_MODEL = {"en": "risk_model_local_en.toml", "es": "modelo_riesgo_local_es.toml"}
#: Chance of food insecurity by the assessment's housing (a hidden link, as in real data).
_FOOD_INSECURITY = {"stable": 0.12, "at_risk": 0.45, "homeless": 0.7}


def food_insecurity(data: CaseData, lang: str = "en", *, seed: int = SEED) -> pl.Series:
    """The sample's own column, one value per assessment row in the order of
    ``data["assessments"]``: yes/no (``sí``/``no`` in Spanish) as a team types it, blank
    for about 1 in 20 (not asked). Its own random stream: the contract's columns of the
    sample do not change.

    >>> s = food_insecurity(make_sample(40, seed=1), "es")
    >>> s.name, sorted(set(s.drop_nulls()))
    ('inseguridad_alimentaria', ['no', 'sí'])
    """
    housing = data["assessments"]["housing"].to_list()
    rng = np.random.default_rng(seed)
    draws, asked = rng.random(len(housing)), rng.random(len(housing))
    yes, no = t("common.yes", lang), t("common.no", lang)
    values = [
        None if a < 0.05 else (yes if d < _FOOD_INSECURITY.get(h or "stable", 0.12) else no)
        for d, a, h in zip(draws, asked, housing, strict=True)
    ]
    return pl.Series(LOCAL_COLUMN[lang], values, dtype=pl.String)


def with_local_column(data: CaseData, lang: str = "en") -> CaseData:
    """``data`` with :func:`food_insecurity` as the assessments' last column."""
    sheets = dict(data.sheets)
    sheets["assessments"] = sheets["assessments"].with_columns(food_insecurity(data, lang))
    return CaseData(sheets, source=data.source)


def local_model_text(lang: str) -> str:
    """The shipped risk model plus the sample's local factor (its column in ``lang``)."""
    return (
        default_model_text().rstrip()
        + f"""

# ---- A team's own column (local risk factor): the bundled sample's {LOCAL_COLUMN[lang]} ----
# Not in the data contract; declared with its type (docs/risk_model.md, "A team's own columns").
[[factors]]
name = "food_insecurity"
label = {{ en = "Food insecurity", es = "Inseguridad alimentaria" }}
input = "assessments.{LOCAL_COLUMN[lang]}"
type = "bool"
points = {{ true = 3, false = 0 }}
"""
    )


def write_bundled(folder: Path = HERE) -> None:
    """The clean sample: Spanish workbook and English CSV folder (same cases), each with
    the sample's own column, and the example models that score it."""
    es = with_local_column(make_sample(N_CASES, seed=SEED, lang="es"), "es")
    write_workbook(es, folder / "casekit_muestra_es.xlsx", lang="es", labels=True)
    en_dir = folder / "casekit_sample_en"
    if en_dir.exists():
        shutil.rmtree(en_dir)
    en = with_local_column(make_sample(N_CASES, seed=SEED, lang="en"), "en")
    write_workbook(en, en_dir, lang="en", format="csv")
    for lang, name in LOCAL_MODEL.items():
        (folder / name).write_text(local_model_text(lang), encoding="utf-8")


def _spanish_rows(sheet: str, df: pl.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Spanish headers and row values (labels for categories, sí/no for booleans)."""
    cols = SHEETS[sheet].columns
    exprs = []
    for name, col in cols.items():
        if col.kind == "category" and col.vocab:
            mapping = {k: label.es for k, label in VOCABS[col.vocab].items()}
            exprs.append(pl.col(name).replace_strict(mapping, default=None))
        elif col.kind == "bool":
            yes, no = pl.lit(t("common.yes", "es")), pl.lit(t("common.no", "es"))
            exprs.append(pl.when(pl.col(name)).then(yes).when(~pl.col(name)).then(no).alias(name))
        else:
            exprs.append(pl.col(name))
    out = df.select(exprs)
    return [cols[c].es for c in out.columns], [list(r) for r in out.rows()]


def broken_rows(seed: int = BROKEN_SEED) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The broken workbook's sheets as Spanish headers and Python rows, mistakes planted."""
    data = make_sample(BROKEN_CASES, seed=seed, lang="es")
    books = {s: _spanish_rows(s, data[s]) for s in SHEETS}

    def cell(sheet: str, row: int, column: str) -> tuple[list[Any], int]:
        headers, rows = books[sheet]
        return rows[row], headers.index(SHEETS[sheet].columns[column].es)

    def put(sheet: str, row: int, column: str, value: Any) -> None:
        r, i = cell(sheet, row, column)
        r[i] = value

    def get(sheet: str, row: int, column: str) -> Any:
        r, i = cell(sheet, row, column)
        return r[i]

    # each mistake on a different case, so that one does not hide another
    used: set[str | None] = {None}

    def fresh(sheet: str, skip: tuple[Any, ...] = ()) -> int:
        """First row of ``sheet`` for a case not touched yet (and not ``skip``-ped)."""
        status_i = books[sheet][0].index("estado") if sheet in ("goals", "contacts") else None
        for i, row in enumerate(books[sheet][1]):
            if row[case_col[sheet]] not in used and (status_i is None or row[status_i] not in skip):
                used.add(row[case_col[sheet]])
                return i
        raise LookupError(sheet)

    case_col = {s: books[s][0].index("id_caso") for s in SHEETS}
    cases = books["cases"][1]
    opened = {r[0]: r[3] for r in cases}
    used.update(cases[i][0] for i in (1, 2, 3, 6))  # the cases row mistakes below
    put("cases", 2, "opened_on", "31/02/2026")
    put("cases", 6, "client_name", '=HYPERLINK("http://ejemplo.com/ficha","Ver ficha")')
    dup = list(cases[3])
    dup[books["cases"][0].index("nombre_cliente")] = "Registro duplicado"
    cases.append(dup)
    put("screenings", fresh("screenings"), "case_id", None)
    row = fresh("screenings")
    put("screenings", row, "screened_on", opened[get("screenings", row, "case_id")] - dt.timedelta(days=5))
    put("assessments", fresh("assessments"), "phq9", 31)
    put("assessments", fresh("assessments"), "ed_visits_6m", "dos")
    row = fresh("assessments")
    sys_bp = get("assessments", row, "systolic_bp") or 130
    put("assessments", row, "systolic_bp", sys_bp)
    put("assessments", row, "diastolic_bp", min(sys_bp + 12, 160))
    achieved = VOCABS["goal_status"]["achieved"].es
    row = fresh("goals", skip=(achieved,))
    put("goals", row, "status", achieved)
    put("goals", row, "achieved_on", None)
    put("contacts", fresh("contacts"), "status", "Aplazado")
    ghost = list(books["contacts"][1][fresh("contacts")])
    ghost[0], ghost[case_col["contacts"]] = "K999999", "C99999"
    books["contacts"][1].append(ghost)
    return books


def write_broken(path: Path = HERE / "casekit_broken_es.xlsx") -> None:
    """Write the broken workbook cell by cell, so that each planted mistake stays as typed.

    Written with xlsxwriter directly: the safe export would (rightly) neutralise the
    formula-looking name, and typed frames cannot hold a text in a date column.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": "casekit: libro con errores", "created": dt.datetime(2026, 9, 30)})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = workbook.add_format({"num_format": "dd/mm/yyyy"})
    try:
        for sheet, (headers, rows) in broken_rows().items():
            ws = workbook.add_worksheet(SHEETS[sheet].es)
            ws.write_row(0, 0, headers, bold)
            ws.freeze_panes(1, 0)
            ws.set_column(0, len(headers) - 1, 16)
            for r, values in enumerate(rows, start=1):
                for c, v in enumerate(values):
                    if v is None:
                        continue
                    if isinstance(v, dt.date):
                        ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
                    elif isinstance(v, bool):
                        ws.write_string(r, c, str(v))
                    elif isinstance(v, int | float):
                        ws.write_number(r, c, v)
                    else:
                        ws.write_string(r, c, str(v))
    finally:
        workbook.close()


def main() -> None:
    write_bundled()
    write_broken()
    print(f"sample data written to {HERE} (as of {SAMPLE_AS_OF.isoformat()})")


if __name__ == "__main__":
    main()
