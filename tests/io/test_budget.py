"""The cell budget and the isolated reader: hostile files are refused before any library
builds them; a read in a child process fails with one clear error, whatever happens there."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from casekit.errors import UnreadableFileError
from casekit.io import _isolate, prestart_reader, read_isolated, read_workbook
from casekit.io._isolate import MEMORY_ENV
from tests.hostile.make_corpus import EXPECTED, FILES, ods, xlsx

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "casekit_muestra_es.xlsx"

REFUSED = sorted(name for name, (code, _) in EXPECTED.items() if code == 2)


@pytest.mark.parametrize("name", REFUSED)
def test_each_hostile_file_is_refused_with_its_reason(name: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(FILES / name, lang="es")
    assert info.value.key == EXPECTED[name][1]
    assert name in str(info.value)


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - set(REFUSED)))
def test_hostile_looking_but_sound_files_are_read(name: str) -> None:
    data = read_workbook(FILES / name)
    assert data["cases"]["case_id"].to_list() == ["C1"]


def test_the_refusal_names_the_sheet_and_its_size() -> None:
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(FILES / "xlsx_far_cells.xlsx")
    err = info.value
    assert err.params["sheet"] == "cases"
    assert err.params["rows"] == "1,048,576"
    assert err.params["cols"] == "16,384"


def test_the_budget_is_configurable(files: Path) -> None:
    assert read_workbook(files / "workbook.xlsx", max_cells=100)["cases"].height == 3
    for name in ("workbook.xlsx", "workbook.ods"):
        with pytest.raises(UnreadableFileError) as info:
            read_workbook(files / name, max_cells=10)
        assert info.value.key == "io.too_many_cells"
    csv = b"case_id,opened_on\n" + b"C1,2026-03-01\n" * 20
    assert read_workbook(csv, filename="cases.csv", max_cells=42)["cases"].height == 20
    with pytest.raises(UnreadableFileError, match=r"cases\.csv"):
        read_workbook(csv, filename="cases.csv", max_cells=41)


def test_shared_strings_are_weighed_by_their_references() -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}" t="s"><v>1</v></c></row>' for r in range(1, 11)
    )
    sst = "<sst><si><t>case_id</t></si><si><r><t>opened</t></r><r><t>_on</t></r></si></sst>"
    book = xlsx(f"<worksheet><sheetData>{rows}</sheetData></worksheet>", sst)
    weight = 10 * len("<t>case_id</t>") + 10 * len("<r><t>opened</t></r><r><t>_on</t></r>")  # bytes of each <si>
    assert read_workbook(book, filename="b.xlsx", max_text=weight)["cases"].height == 9
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(book, filename="b.xlsx", max_text=weight - 1)
    assert info.value.key == "io.too_much_text"


def test_ods_repeats_count_only_where_they_hold_values() -> None:
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    head = "<table:table-row>" + cell.format("id_caso") + cell.format("fecha_apertura") + "</table:table-row>"
    repeated = '<table:table-row table:number-rows-repeated="5">' + cell.format("C1") + "</table:table-row>"
    book = ods(head + repeated)
    assert read_workbook(book, filename="b.ods", max_cells=12)["cases"].height == 5
    with pytest.raises(UnreadableFileError):
        read_workbook(book, filename="b.ods", max_cells=11)  # 6 rows × 2 columns


def test_isolated_read_gives_the_same_data(files: Path) -> None:
    """The child's frames come back through Arrow IPC files (issue 18): the same values,
    dtypes, sheet names and headers as read in process."""
    for source in (files / "workbook.xlsx", files / "csv_es", SAMPLE):
        direct, isolated = read_workbook(source), read_isolated(source)
        assert direct.sheets.keys() == isolated.sheets.keys()
        assert (direct.source, direct.headers) == (isolated.source, isolated.headers)
        for sheet in direct.sheets:
            assert_frame_equal(direct[sheet], isolated[sheet], check_exact=True)
        assert_frame_equal(direct.issues, isolated.issues, check_exact=True)
    uploads = {"casos.csv": (files / "csv_es" / "casos.csv").read_bytes()}
    assert read_isolated(uploads).n_rows() == read_workbook(uploads).n_rows()


def test_isolated_read_passes_the_error_on_in_the_callers_language() -> None:
    with pytest.raises(UnreadableFileError) as info:
        read_isolated(FILES / "xlsx_lzma.xlsx", lang="es")
    assert info.value.key == "io.bad_compression"
    assert "comprimido" in str(info.value)


def test_isolated_read_out_of_time_and_out_of_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    csv = b"case_id,opened_on\nC1,2026-03-01\n"
    with _isolate._SPARE_LOCK:  # a child started by an earlier test could read this in time
        _isolate._drop_spare()
    with pytest.raises(UnreadableFileError) as info:
        read_isolated(csv, filename="cases.csv", timeout=0.05, lang="es")
    assert info.value.key == "io.timeout"
    assert "0.05 segundos" in str(info.value)
    monkeypatch.setenv(MEMORY_ENV, "40")  # too little even to start the readers
    with pytest.raises(UnreadableFileError) as info:
        read_isolated(csv, filename="cases.csv")
    assert info.value.key == "io.out_of_memory"
    assert "40 MB" in str(info.value)


def test_a_reader_started_before_its_file_reads_it(files: Path) -> None:
    """The app starts the reader's child while the user picks the files (issue 18): the
    read gives that child its file, and reads the same data as in process."""
    prestart_reader()
    waiting = _isolate._SPARE[0][0]
    source = files / "workbook.xlsx"
    isolated = read_isolated(source)
    assert waiting.returncode == 0  # it read the file, and exited
    assert not _isolate._SPARE
    direct = read_workbook(source)
    for sheet in direct.sheets:
        assert_frame_equal(direct[sheet], isolated[sheet], check_exact=True)
    prestart_reader()
    with pytest.raises(UnreadableFileError) as info:  # its errors come back as a new child's
        read_isolated(FILES / "xlsx_lzma.xlsx", lang="es")
    assert info.value.key == "io.bad_compression"


def test_a_waiting_reader_with_another_memory_limit_is_not_used() -> None:
    prestart_reader(max_memory=3 << 30)
    waiting = _isolate._SPARE[0][0]
    csv = b"case_id,opened_on\nC1,2026-03-01\n"
    assert read_isolated(csv, filename="cases.csv", max_memory=2 << 30).n_rows() == {"cases": 1}
    assert waiting.returncode not in (None, 0)  # ended unused
    assert not _isolate._SPARE


def test_csv_with_cr_only_line_ends_is_read_row_by_row() -> None:
    data = read_workbook(b"case_id,opened_on\r7,2026-03-01\r8,2026-03-02\r", filename="cases.csv")
    assert data["cases"].select("case_id", "_row").rows() == [("7", 2), ("8", 3)]
    assert pl.DataFrame(data.issues).height == 0
