"""Writers: CSV that no spreadsheet turns into a formula whatever its list separator,
every text field quoted, atomic writes, XLSX cells never cut silently."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest

from casekit.errors import CasekitError
from casekit.export import XLSX_MAX_CHARS, atomic_path, write_csv, write_table, write_xlsx
from casekit.io import read_workbook

PAYLOADS = ["Team;=1+1", "Team,=1+1", 'a;"=HYPERLINK(""x"")', "x\t@SUM(A1)", "ok, -2+3", "'=quoted", "=1", "plain"]
DANGEROUS = ("=", "+", "-", "@")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_field_starts_a_formula_with_either_list_separator(lang: str) -> None:
    frame = pl.DataFrame({"case_id": [f"C{i}" for i in range(len(PAYLOADS))], "notes": PAYLOADS})
    text = write_csv(frame, lang=lang, bom=False).decode()
    for separator in (",", ";", "\t"):  # how a spreadsheet in any locale may split the line
        for row in csv.reader(io.StringIO(text), delimiter=separator):
            for field in row:
                assert not field.startswith(DANGEROUS), (separator, field)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_text_field_is_quoted_and_reads_back_unchanged(lang: str) -> None:
    frame = pl.DataFrame({"case_id": ["007", "008"], "opened_on": ["2026-03-01", "2026-03-02"], "notes": PAYLOADS[:2]})
    data = write_csv(frame, lang=lang, bom=False)
    lines = data.decode().splitlines()
    separator = ";" if lang == "es" else ","
    quoted = '"(?:[^"]|"")*"'
    for line in lines:
        assert re.fullmatch(f"{quoted}(?:{separator}{quoted})*", line), line
    back = read_workbook(data, filename="cases.csv")
    assert back["cases"]["case_id"].to_list() == ["007", "008"]
    assert back["cases"]["notes"].to_list() == PAYLOADS[:2]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_part(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    write_xlsx({"ok": pl.DataFrame({"a": ["x"]})}, target)
    before = target.read_bytes()
    too_long = pl.DataFrame({"case_id": ["C1", "C2"], "notes": ["short", "y" * (XLSX_MAX_CHARS + 1)]})
    with pytest.raises(CasekitError) as info:
        write_xlsx({"cases": too_long}, target, lang="es")
    assert info.value.params["row"] == 3
    assert info.value.params["column"] == "notes"
    assert "32.767" in str(info.value) or "32,767" in str(info.value)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]

    def fail_half_way() -> None:
        with atomic_path(tmp_path / "t.parquet") as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_written_files_keep_ordinary_permissions(tmp_path: Path) -> None:
    out = write_table(pl.DataFrame({"x": [1]}), tmp_path / "t.csv")
    assert out.stat().st_mode & 0o777 == (tmp_path / "t.csv").stat().st_mode & 0o777
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    assert out.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
