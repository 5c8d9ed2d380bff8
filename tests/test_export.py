"""Safe exports: neutralised text, Spanish/English CSV, formatted XLSX, whole workbooks."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casekit import export
from casekit.contract import SHEETS, VOCABS
from casekit.data import CaseData
from casekit.errors import CasekitError
from casekit.export import neutralise, safe_frame, safe_text, unneutralise, write_csv, write_workbook, write_xlsx

DANGEROUS = ["=1+2", "+1", "-1+2", "@SUM(A1:A9)", "\tx", "\rx", "\nx", "=cmd|' /C calc'!A0", "-"]
SAFE = ["abc", "007", "", "a=b", "1-2", " =x", "'quoted", "http://example.com", "Ángela"]


# --------------------------------------------------------------------------------------
# Neutralisation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", DANGEROUS)
def test_dangerous_first_character_gets_one_apostrophe(value: str) -> None:
    out = safe_frame(pl.DataFrame({"t": [value]}))
    assert out["t"].to_list() == ["'" + value]


def test_lone_dash_and_negative_looking_text_are_neutralised() -> None:
    # Decision: the OWASP rule applies to every text starting with "-", even "-" alone
    # and "-5" held as text; a real negative number (numeric column) is untouched.
    out = safe_frame(pl.DataFrame({"t": ["-", "-5"], "n": [-5, 3], "f": [-0.5, 2.0]}))
    assert out["t"].to_list() == ["'-", "'-5"]
    assert out["n"].to_list() == [-5, 3]
    assert out["f"].to_list() == [-0.5, 2.0]
    assert out.schema == pl.Schema({"t": pl.String, "n": pl.Int64, "f": pl.Float64})


@pytest.mark.parametrize("value", SAFE)
def test_safe_text_is_unchanged(value: str) -> None:
    assert safe_frame(pl.DataFrame({"t": [value]}))["t"].to_list() == [value]


def test_only_text_columns_touched_and_nulls_kept() -> None:
    df = pl.DataFrame(
        {
            "s": ["=x", None],
            "d": [dt.date(2026, 3, 1), None],
            "b": [True, None],
            "i": [-1, None],
            "c": pl.Series(["@a", "b"], dtype=pl.Categorical),
        }
    )
    out = safe_frame(df)
    assert out["s"].to_list() == ["'=x", None]
    assert out["c"].to_list() == ["'@a", "b"]
    assert out["c"].dtype == pl.String
    assert out.drop("s", "c").equals(df.drop("s", "c"))


def test_apostrophe_then_dangerous_char_gets_another_so_restoring_is_exact() -> None:
    df = pl.DataFrame({"t": ["'=x", "''+y", "'plain"]})
    out = safe_frame(df)
    assert out["t"].to_list() == ["''=x", "'''+y", "'plain"]
    assert out.select(unneutralise("t"))["t"].to_list() == df["t"].to_list()


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20))
def test_neutralise_is_safe_and_reversible(values: list[str | None]) -> None:
    s = pl.Series("t", values, dtype=pl.String)
    safe = pl.select(neutralise(pl.lit(s))).to_series()
    assert not safe.drop_nulls().str.contains(r"^[=+@\t\r\n-]").any()
    assert pl.select(unneutralise(pl.lit(safe))).to_series().to_list() == values


def test_safe_text_for_headers() -> None:
    assert safe_text("=A1") == "'=A1"
    assert safe_text("case_id") == "case_id"


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


@pytest.fixture
def mixed() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["007", "=cmd|' /C calc'!A0"],
            "on": [dt.date(2026, 3, 1), None],
            "x": [1.5, -2.25],
            "n": [-3, 1200],
            "ok": [True, False],
            "note": ["a;b", "Ñandú"],
        }
    )


def test_write_csv_spanish_bytes(mixed: pl.DataFrame) -> None:
    out = write_csv(mixed, lang="es")
    assert (
        out
        == (
            '\ufeff"id";"on";"x";"n";"ok";"note"\n"007";"01/03/2026";1,5;-3;"true";"a;b"\n'
            '"\'=cmd|\' /C calc\'!A0";;-2,25;1200;"false";"Ñandú"\n'
        ).encode()
    )


def test_write_csv_english_bytes(mixed: pl.DataFrame) -> None:
    out = write_csv(mixed, lang="en")
    assert (
        out
        == (
            '\ufeff"id","on","x","n","ok","note"\n"007","2026-03-01",1.5,-3,"true","a;b"\n'
            '"\'=cmd|\' /C calc\'!A0",,-2.25,1200,"false","Ñandú"\n'
        ).encode()
    )
    assert out.startswith(b"\xef\xbb\xbf")


def test_write_csv_without_bom_to_path_and_buffers(mixed: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    assert write_csv(mixed, path, bom=False) is None
    assert path.read_bytes().startswith(b'"id","on",')
    binary = io.BytesIO()
    write_csv(mixed, binary, lang="es")
    assert binary.getvalue() == write_csv(mixed, lang="es")
    text = io.StringIO()
    write_csv(mixed, text, bom=False)
    assert text.getvalue().splitlines()[1] == '"007","2026-03-01",1.5,-3,"true","a;b"'


def test_write_csv_neutralises_headers() -> None:
    assert write_csv(pl.DataFrame({"=HYPERLINK()": [1]}), bom=False) == b'"\'=HYPERLINK()"\n1\n'


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------


def _sheet_xml(book: bytes, name: str) -> str:
    """The worksheet XML of the sheet called ``name``."""
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{re.escape(name)}" sheetId="\d+"(?: state="\w+")? r:id="(\w+)"', workbook)
        assert rid, f"no sheet {name}"
        target = re.search(rf'Id="{rid.group(1)}" Type="[^"]+" Target="([^"]+)"', rels)
        assert target
        return z.read("xl/" + target.group(1).removeprefix("/xl/")).decode()


def _styles(book: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        return z.read("xl/styles.xml").decode()


@pytest.mark.parametrize(("lang", "date_format"), [("es", "dd/mm/yyyy"), ("en", "yyyy-mm-dd")])
def test_write_xlsx_reads_back_typed_and_safe(mixed: pl.DataFrame, lang: str, date_format: str) -> None:
    book = write_xlsx({"data": mixed, "other": pl.DataFrame({"u": ["http://example.com"]})}, lang=lang)
    assert isinstance(book, bytes)
    back = pl.read_excel(book, sheet_name="data")
    assert back.schema == pl.Schema(
        {"id": pl.String, "on": pl.Date, "x": pl.Float64, "n": pl.Int64, "ok": pl.Boolean, "note": pl.String}
    )
    assert back["id"].to_list() == ["007", "'=cmd|' /C calc'!A0"]
    assert back["on"].to_list() == [dt.date(2026, 3, 1), None]
    assert back["x"].to_list() == [1.5, -2.25]
    assert back["n"].to_list() == [-3, 1200]
    assert back["ok"].to_list() == [True, False]

    xml = _sheet_xml(book, "data")
    assert re.search(r'<pane [^>]*topLeftCell="A2"[^>]*state="frozen"', xml)
    assert not re.search(r"<f[ >]", xml)  # no formula element anywhere
    assert f'formatCode="{date_format}"' in _styles(book)
    assert "<b/>" in _styles(book)  # bold header font
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        tables = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/tables/")]
        assert not any("hyperlink" in n for n in z.namelist())
    assert any('<autoFilter ref="A1:F3"/>' in tbl for tbl in tables)
    assert "<hyperlinks>" not in _sheet_xml(book, "other")
    assert pl.read_excel(book, sheet_name="other")["u"].to_list() == ["http://example.com"]


def test_write_xlsx_column_widths_follow_content() -> None:
    book = write_xlsx({"s": pl.DataFrame({"a": ["x"], "long": ["y" * 40]})})
    widths = [float(w) for w in re.findall(r'<col min="\d+" max="\d+" width="([\d.]+)"', _sheet_xml(book, "s"))]
    assert len(widths) == 2
    assert widths[1] > 3 * widths[0]


def test_write_xlsx_to_path_empty_frames_and_odd_sheet_names(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    sheets = {"a/b": pl.DataFrame({"x": [1]}), "A/B": pl.DataFrame(schema={"y": pl.Date}), "z" * 40: pl.DataFrame()}
    assert write_xlsx(sheets, path) is None
    names = pl.read_excel(path, sheet_id=0, raise_if_empty=False)
    assert list(names) == ["a_b", "A_B_2", "z" * 31]
    assert names["a_b"]["x"].to_list() == [1]
    assert names["A_B_2"].columns == ["y"]


def test_write_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 2)
    with pytest.raises(CasekitError) as err:
        write_xlsx({"big": pl.DataFrame({"x": [1, 2, 3]})}, lang="es")
    assert err.value.message("es").startswith("La hoja «big» tiene 3 filas")


# --------------------------------------------------------------------------------------
# Whole workbook
# --------------------------------------------------------------------------------------


@pytest.fixture
def case_data() -> CaseData:
    cases = pl.DataFrame(
        {
            "case_id": ["007", "008"],
            "client_name": ["Ana", "=cmd|' /C calc'!A0"],
            "opened_on": [dt.date(2026, 3, 1), dt.date(2025, 12, 31)],
            "sex": ["female", None],
            "extra col": ["kept", "too"],
            "_row": [2, 3],
        }
    )
    screenings = pl.DataFrame(
        {
            "case_id": ["007"],
            "screened_on": [dt.date(2026, 3, 2)],
            "medical_history_reviewed": [True],
            "claims_12m": [3],
            "decision": ["refer_to_assessment"],
            "_row": [2],
        }
    )
    outcomes = pl.DataFrame(
        {
            "case_id": ["007", "007"],
            "measured_on": [dt.date(2026, 3, 2), dt.date(2026, 6, 2)],
            "measure": ["PHQ-9", "PHQ-9"],
            "value": [-1.5, 12.0],
            "timepoint": ["baseline", "follow_up"],
            "higher_is_better": [False, None],
            "_row": [2, 3],
        }
    )
    # outcomes before screenings on purpose: the writer puts sheets in contract order
    return CaseData({"outcomes": outcomes, "cases": cases, "screenings": screenings})


def test_workbook_xlsx_spanish_labels(case_data: CaseData, tmp_path: Path) -> None:
    dest = tmp_path / "libro.xlsx"
    assert write_workbook(case_data, dest, lang="es", labels=True) == dest
    book = pl.read_excel(dest, sheet_id=0)
    assert list(book) == ["casos", "cribados", "resultados"]
    casos = book["casos"]
    assert casos.columns == ["id_caso", "nombre_cliente", "fecha_apertura", "sexo", "extra col"]
    assert casos["id_caso"].to_list() == ["007", "008"]
    assert casos["sexo"].to_list() == ["Mujer", None]
    assert casos["nombre_cliente"].to_list() == ["Ana", "'=cmd|' /C calc'!A0"]
    assert casos["fecha_apertura"].dtype == pl.Date
    cribados = book["cribados"]
    assert cribados["decision"].to_list() == ["Derivar a evaluación"]
    assert cribados["historial_revisado"].to_list() == ["sí"]
    assert cribados["reclamaciones_12m"].to_list() == [3]
    assert book["resultados"]["mayor_es_mejor"].to_list() == ["no", None]
    assert book["resultados"]["momento"].to_list() == ["Basal", "Seguimiento"]


def test_workbook_xlsx_english_ids_as_bytes(case_data: CaseData) -> None:
    book = write_workbook(case_data, None, lang="en")
    assert isinstance(book, bytes)
    sheets = pl.read_excel(book, sheet_id=0)
    assert list(sheets) == ["cases", "screenings", "outcomes"]
    assert sheets["cases"].columns == ["case_id", "client_name", "opened_on", "sex", "extra col"]
    assert sheets["screenings"]["decision"].to_list() == ["refer_to_assessment"]
    assert sheets["screenings"]["medical_history_reviewed"].to_list() == [True]
    assert sheets["outcomes"]["value"].to_list() == [-1.5, 12.0]


def test_workbook_parquet_folder_keeps_native_types(case_data: CaseData, tmp_path: Path) -> None:
    folder = write_workbook(case_data, tmp_path / "data", lang="en")
    assert folder == tmp_path / "data"
    assert sorted(p.name for p in folder.iterdir()) == ["cases.parquet", "outcomes.parquet", "screenings.parquet"]
    for sheet, df in case_data.sheets.items():
        back = pl.read_parquet(folder / f"{sheet}.parquet")
        assert back.equals(df.drop("_row")), sheet  # text not neutralised in parquet
    es = write_workbook(case_data, tmp_path / "es", lang="es", format="parquet")
    assert pl.read_parquet(es / "casos.parquet").columns[:2] == ["id_caso", "nombre_cliente"]


def test_workbook_csv_folder_spanish(case_data: CaseData, tmp_path: Path) -> None:
    folder = write_workbook(case_data, tmp_path / "csv", lang="es", format="csv", labels=True)
    assert sorted(p.name for p in folder.iterdir()) == ["casos.csv", "cribados.csv", "resultados.csv"]
    assert (folder / "casos.csv").read_bytes() == (
        '\ufeff"id_caso";"nombre_cliente";"fecha_apertura";"sexo";"extra col"\n'
        '"007";"Ana";"01/03/2026";"Mujer";"kept"\n'
        '"008";"\'=cmd|\' /C calc\'!A0";"31/12/2025";;"too"\n'
    ).encode()
    assert (folder / "resultados.csv").read_text(encoding="utf-8-sig").splitlines()[1] == (
        '"007";"02/03/2026";"PHQ-9";-1,5;"Basal";"no"'
    )


def test_workbook_bad_format(case_data: CaseData, tmp_path: Path) -> None:
    with pytest.raises(CasekitError):
        write_workbook(case_data, tmp_path / "x", format="json")  # type: ignore[arg-type]
    with pytest.raises(CasekitError):
        write_workbook(case_data, tmp_path / "x.xlsx", format="csv")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_vocab_labels_are_distinct_so_labels_read_back(lang: str) -> None:
    for name, vocab in VOCABS.items():
        labels = [label(lang).casefold() for label in vocab.values()]
        assert len(set(labels)) == len(labels), name


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("labels", [False, True])
@pytest.mark.parametrize("target", ["book.xlsx", "csv", "parquet"])
def test_round_trip_through_the_reader(
    case_data: CaseData, tmp_path: Path, lang: str, labels: bool, target: str
) -> None:
    from casekit.io import read_workbook

    dest = tmp_path / target
    write_workbook(case_data, dest, lang=lang, labels=labels, format=None if target.endswith("xlsx") else target)
    back = read_workbook(dest, lang=lang)
    assert back.issues.height == 0
    for sheet, df in case_data.sheets.items():
        got = back[sheet].select(df.columns)
        # Readers undo the neutralisation of text with `unneutralise` (parquet has none).
        text = [c for c, dtype in got.schema.items() if dtype == pl.String]
        got = got.with_columns(unneutralise(c) for c in text)
        assert got.equals(df), sheet
    assert set(SHEETS["cases"].columns) <= set(back["cases"].columns)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_labelled_workbook_reads_back_to_the_same_ids(lang: str) -> None:
    """``labels=True`` writes only what the reader maps back: a measure or a programme is
    never written as a label (it would stop matching the measures catalogue)."""
    import casekit as ck

    data = ck.make_sample(40, seed=5)
    back = ck.read_workbook(write_workbook(data, None, lang=lang, labels=True))
    for name, df in data.sheets.items():
        written = df.drop("_row", strict=False)
        read = back[name].select(written.columns)
        assert read.equals(written.cast(read.schema)), name
    raw = pl.read_excel(write_workbook(data, None, lang=lang, labels=True), sheet_name=SHEETS["cases"].label(lang))
    assert VOCABS["sex"]["female"](lang) in set(raw[SHEETS["cases"].columns["sex"].label(lang)])  # labels, not ids
