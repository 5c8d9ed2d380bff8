"""Files that cannot be read raise one UnreadableFileError with a translated message."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from casekit.errors import UnreadableFileError
from casekit.io import read_workbook

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def _error(source: object, **kwargs: object) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(source, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_empty_file_in_both_languages() -> None:
    err = _error(b"", filename="vacío.xlsx", lang="es")
    assert err.key == "io.empty_file"
    assert str(err) == "El archivo «vacío.xlsx» está vacío."
    assert err.message("en") == "The file «vacío.xlsx» is empty."


@pytest.mark.parametrize("name", ["secret.xlsx", "old.xls", "book.ods"])
def test_encrypted_or_legacy_container(name: str) -> None:
    err = _error(CFB, filename=name, lang="en")
    assert err.key == "io.encrypted_or_legacy"
    assert name in str(err)
    assert ".xlsx" in str(err)
    assert "contraseña" in err.message("es")


@pytest.mark.parametrize("name", ["random.xlsx", "random.ods", "random.xlsm", "random.xls", "random.parquet"])
def test_random_bytes_with_a_spreadsheet_name(name: str) -> None:
    err = _error(b"\x13\x37 not a spreadsheet \xff" * 20, filename=name)
    assert err.key == "io.corrupt_file"
    assert name in str(err)


def test_unsupported_extension() -> None:
    err = _error(b"%PDF-1.7", filename="report.pdf", lang="es")
    assert err.key == "io.unsupported_extension"
    assert "«report.pdf»" in str(err)
    assert ".pdf" in str(err)


def test_file_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"case_id\n" + b"1\n" * 600)
    err = _error(path, max_bytes=1000)
    assert err.key == "io.too_large"
    assert err.params["limit"] == "0"  # shown in MB
    assert _error(io.BytesIO(path.read_bytes()), filename="big.csv", max_bytes=1000).key == "io.too_large"
    uploads = {"cases.csv": b"case_id\n1\n" * 30, "goals.csv": b"goal_id\n1\n" * 30}
    assert _error(uploads, max_bytes=400).key == "io.too_large"


def test_missing_file_and_missing_cases_sheet(tmp_path: Path, files: Path) -> None:
    assert _error(tmp_path / "nope.xlsx").key == "io.not_found"
    err = _error({"goals.csv": b"goal_id\nG1\n", "contacts.csv": b"contact_id\nK1\n"}, lang="es")
    assert err.key == "io.missing_cases"
    (tmp_path / "goals.csv").write_bytes(b"goal_id\nG1\n")
    assert _error(tmp_path).key == "io.missing_cases"
    import xlsxwriter

    book = tmp_path / "no_cases.xlsx"
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("Objetivos").write(0, 0, "id_objetivo")
    wb.add_worksheet("Instrucciones")
    wb.close()
    err = _error(book, lang="en")
    assert err.key == "io.missing_cases"
    assert "Objetivos, Instrucciones" in str(err)


def test_corrupt_zip(files: Path) -> None:
    data = (files / "workbook.xlsx").read_bytes()
    assert _error(data[: len(data) // 2], filename="half.xlsx").key == "io.corrupt_file"
    not_a_workbook = io.BytesIO()
    with zipfile.ZipFile(not_a_workbook, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert _error(not_a_workbook.getvalue(), filename="doc.xlsx").key == "io.corrupt_file"


@pytest.mark.parametrize(
    "content",
    [b"   \r\n\r\n  \n", b"1;2;3\n4;5;6\n", b"\xff\xfe\x00\x01garbage"],
    ids=["blank", "data-without-header", "garbage"],
)
def test_csv_without_header(content: bytes) -> None:
    err = _error(content, filename="cases.csv", lang="es")
    assert err.key == "io.no_header"
    assert "cases.csv" in str(err)


def test_several_uploads_must_be_sheet_files(files: Path) -> None:
    uploads = {"cases.csv": b"case_id\n1\n", "book.xlsx": (files / "workbook.xlsx").read_bytes()}
    assert _error(uploads).key == "io.not_a_sheet_file"


def _bomb(entry_bytes: int) -> bytes:
    """A valid-looking XLSX whose one part is ``entry_bytes`` of zeros (tiny when compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(entry_bytes >> 20):
                fh.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_by_ratio() -> None:
    data = _bomb(4 << 20)  # 4 MB of zeros, about 4 KB on disk: ratio ~1000
    assert len(data) < 20_000
    err = _error(data, filename="bomb.xlsx", lang="es")
    assert err.key == "io.zip_bomb"
    assert "bomb.xlsx" in str(err)


def test_zip_bomb_by_total_size() -> None:
    data = _bomb(2 << 20)
    err = _error(data, filename="bomb.xlsx", max_unzipped_bytes=1 << 20, max_ratio=10_000)
    assert err.key == "io.zip_bomb"


def test_zip_with_lying_declared_sizes(files: Path) -> None:
    """Declared sizes are not trusted: the real stream is counted (and CRC-checked)."""
    data = bytearray(_bomb(2 << 20))
    # Patch the central directory's uncompressed size of the big entry to 1 KB.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (1024).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04", 10)
    data[local + 22 : local + 26] = (1024).to_bytes(4, "little")
    err = _error(bytes(data), filename="liar.xlsx", max_ratio=10_000)
    assert err.key in {"io.zip_bomb", "io.corrupt_file"}


def test_real_workbook_passes_the_default_caps(files: Path) -> None:
    assert read_workbook(files / "workbook.xlsx", max_unzipped_bytes=1 << 20)["cases"].height == 3


class _FakePanic(BaseException):
    """Stands in for pyo3's PanicException, which is not an Exception subclass."""


@pytest.mark.parametrize("exc", [RuntimeError("calamine failed"), _FakePanic("thread panicked")])
def test_unexpected_library_errors_become_one_unreadable_error(
    files: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    import casekit.io._read as reader

    def boom(data: bytes) -> None:
        raise exc

    monkeypatch.setattr(reader, "open_workbook", boom)
    err = _error(files / "workbook.xlsx", lang="es")
    assert err.key == "io.corrupt_file"
    assert err.__cause__ is exc
    assert "«workbook.xlsx»" in str(err)


def test_wrong_source_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        read_workbook(42)  # type: ignore[arg-type]
