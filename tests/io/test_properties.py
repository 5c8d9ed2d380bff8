"""Whatever the bytes, read_workbook either returns data or raises UnreadableFileError."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.data import CaseData
from casekit.errors import UnreadableFileError
from casekit.io import read_workbook

FILES = Path(__file__).parent / "files"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _bytes(name: str) -> bytes:
    return (FILES / name).read_bytes()


def _read_or_refuse(data: bytes, filename: str) -> None:
    refused: UnreadableFileError | None = None
    try:
        result = read_workbook(data, filename=filename)
    except UnreadableFileError as err:
        refused = err
    if refused is None:
        assert isinstance(result, CaseData)
        assert "cases" in result
    else:  # a real catalog message in both languages, not a bare key
        assert not refused.message("en").startswith("io.")
        assert not refused.message("es").startswith("io.")


@SETTINGS
@given(name=st.sampled_from(["workbook.xlsx", "workbook.ods", "broken.xlsx"]), data=st.data())
def test_truncated_workbooks(name: str, data: st.DataObject) -> None:
    raw = _bytes(name)
    cut = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    _read_or_refuse(raw[:cut], name)


@SETTINGS
@given(
    name=st.sampled_from(["workbook.xlsx", "workbook.ods"]),
    flips=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)), min_size=1, max_size=8
    ),
)
def test_byte_flips_in_real_workbooks(name: str, flips: list[tuple[int, int]]) -> None:
    raw = bytearray(_bytes(name))
    for position, mask in flips:
        raw[position % len(raw)] ^= mask
    _read_or_refuse(bytes(raw), name)


@SETTINGS
@given(
    payload=st.binary(max_size=2048),
    ext=st.sampled_from([".xlsx", ".xlsm", ".ods", ".xls", ".csv", ".tsv", ".txt", ".parquet", ".pdf", ""]),
    stem=st.sampled_from(["cases", "casos", "contacts", "upload"]),
)
def test_random_bytes_with_each_extension(payload: bytes, ext: str, stem: str) -> None:
    _read_or_refuse(payload, stem + ext)


_cell = st.one_of(
    st.sampled_from(["007", "7.0", "27,5", "01/03/2026", "2026-13-45", "sí", "x", "Mujer", "", " ", '"', "a;b"]),
    st.text(max_size=12),
)


@SETTINGS
@given(
    header=st.lists(
        st.sampled_from(["case_id", "ID Caso", "opened_on", "Fecha Apertura", "sexo", "bmi", "notes", "", "_row"]),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(st.lists(_cell, max_size=7), max_size=8),
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_text_csvs(header: list[str], rows: list[list[str]], sep: str, encoding: str) -> None:
    text = "\n".join(sep.join(cells) for cells in [header, *rows])
    _read_or_refuse(text.encode(encoding, errors="replace"), "cases.csv")


@SETTINGS
@given(text=st.text(max_size=400))
def test_arbitrary_text_as_csv(text: str) -> None:
    _read_or_refuse(text.encode("utf-8", errors="surrogatepass"), "casos.csv")
