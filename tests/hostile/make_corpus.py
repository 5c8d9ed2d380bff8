"""Build the hostile-file corpus in ``files/`` (each file a few KB; committed).

Run from the repository root: ``python tests/hostile/make_corpus.py``.

Each file is small on disk but asks a reader for far more than it holds: two cells far
apart, a ``<dimension>`` claiming the whole grid, an ODS repeat attribute declaring
billions of cells, one shared string copied into thousands of cells, zip entries
compressed with bzip2/LZMA, a CSV line with a million separators, a Parquet file
declaring tens of millions of rows, damaged Parquet. ``EXPECTED`` says how each must
end (exit code of ``casekit validate``) and, for refusals, the message key.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
FILES = HERE / "files"

#: file -> (exit code of ``casekit validate``, message key of a refusal or None).
EXPECTED: dict[str, tuple[int, str | None]] = {
    "xlsx_far_cells.xlsx": (2, "io.too_many_cells"),
    "xlsx_dimension_whole_grid.xlsx": (2, "io.too_many_cells"),
    "xlsx_spread_cells.xlsx": (2, "io.too_many_cells"),
    "xlsx_cells_without_refs.xlsx": (2, "io.too_many_cells"),
    "xlsx_shared_string_fanout.xlsx": (2, "io.too_much_text"),
    "xlsx_bzip2.xlsx": (2, "io.bad_compression"),
    "xlsx_lzma.xlsx": (2, "io.bad_compression"),
    "ods_columns_repeated.ods": (2, "io.too_many_cells"),
    "ods_rows_repeated.ods": (2, "io.too_many_cells"),
    "ods_libreoffice_trailing_repeats.ods": (0, None),
    "csv_million_separators.csv": (2, "io.too_many_cells"),
    "csv_quoted_separators.csv": (0, None),
    "parquet_many_rows.parquet": (2, "io.too_many_cells"),
    "parquet_damaged.parquet": (2, "io.corrupt_file"),
}

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="cases" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(rows: str, dimension: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
    return f"{head}{dim}<sheetData>{rows}</sheetData></worksheet>"


_HEADER = '<row r="1">' + _inline("A1", "case_id") + _inline("B1", "opened_on") + "</row>"
_ONE_CASE = '<row r="2">' + _inline("A2", "C1") + _inline("B2", "2026-03-01") + "</row>"


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so the corpus is byte-for-byte reproducible."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def xlsx(sheet_xml: str, shared: str = "", compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal XLSX with one sheet ``cases`` holding ``sheet_xml``."""
    shared = shared or f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="0" uniqueCount="0"/>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet_xml),
            ("xl/sharedStrings.xml", shared),
        ):
            zf.writestr(_entry(name, compression), text)
    return buf.getvalue()


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods_cell(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def ods(rows: str) -> bytes:
    """A minimal ODS with one table ``casos`` holding ``rows``."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="casos">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_entry("mimetype", zipfile.ZIP_STORED), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr(_entry("META-INF/manifest.xml", zipfile.ZIP_DEFLATED), _MANIFEST)
        zf.writestr(_entry("content.xml", zipfile.ZIP_DEFLATED), content)
    return buf.getvalue()


_ODS_HEADER = "<table:table-row>" + _ods_cell("id_caso") + _ods_cell("fecha_apertura") + "</table:table-row>"
_ODS_CASE = "<table:table-row>" + _ods_cell("C1") + _ods_cell("2026-03-01") + "</table:table-row>"


def build(*, parquet: bool = True) -> dict[str, bytes]:
    """Every corpus file by name (``parquet=False``: all but the Parquet ones, the slow part)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out: dict[str, bytes] = {}
    out["xlsx_far_cells.xlsx"] = xlsx(_sheet(_HEADER + '<row r="1048576">' + _inline("XFD1048576", "x") + "</row>"))
    out["xlsx_dimension_whole_grid.xlsx"] = xlsx(_sheet(_HEADER + _ONE_CASE, dimension="A1:XFD1048576"))
    spread = "".join(f'<row r="{r}">{_inline(f"KN{r}", "x")}</row>' for r in range(100_000, 1_000_001, 100_000))
    out["xlsx_spread_cells.xlsx"] = xlsx(_sheet(_HEADER + _ONE_CASE + spread))  # 1M rows × 300 columns
    no_refs = "<row>" + '<c t="inlineStr"><is><t>case_id</t></is></c>' + "<c/>" * 20_000 + "</row>"
    out["xlsx_cells_without_refs.xlsx"] = xlsx(_sheet(no_refs))
    long_text = "x" * 30_000
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="1" uniqueCount="1"><si><t>{long_text}</t></si></sst>'
    )
    fan = "".join(f'<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>' for r in range(3, 40_003))
    out["xlsx_shared_string_fanout.xlsx"] = xlsx(_sheet(_HEADER + _ONE_CASE + fan), shared)
    plain = _sheet(_HEADER + _ONE_CASE)
    out["xlsx_bzip2.xlsx"] = xlsx(plain, compression=zipfile.ZIP_BZIP2)
    out["xlsx_lzma.xlsx"] = xlsx(plain, compression=zipfile.ZIP_LZMA)

    wide = "<table:table-row>" + _ods_cell("id_caso") + _ods_cell("x", 1_000_000_000) + "</table:table-row>"
    out["ods_columns_repeated.ods"] = ods(wide)
    tall = '<table:table-row table:number-rows-repeated="1000000000">' + _ods_cell("C1") + "</table:table-row>"
    out["ods_rows_repeated.ods"] = ods(_ODS_HEADER + tall)
    trailing = (
        '<table:table-row><table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048573">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    out["ods_libreoffice_trailing_repeats.ods"] = ods(
        _ODS_HEADER.replace(
            "</table:table-row>", '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
        )
        + _ODS_CASE
        + trailing
    )

    out["csv_million_separators.csv"] = b"case_id,opened_on\nC1,2026-03-01" + b"," * 1_000_000 + b"\n"
    note = '"' + ";,\t" * 200_000 + '"'
    out["csv_quoted_separators.csv"] = f"case_id,opened_on,notes\nC1,2026-03-01,{note}\n".encode()

    if not parquet:
        return out
    table = pa.table({f"c{i}": pa.nulls(30_000_000, pa.string()) for i in range(8)})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    out["parquet_many_rows.parquet"] = sink.getvalue()
    small = io.BytesIO()
    pq.write_table(pa.table({"case_id": ["C1", "C2"], "opened_on": ["2026-03-01", "2026-03-02"]}), small)
    damaged = bytearray(small.getvalue())
    damaged[8:40] = b"\xff" * 32  # the first page header is garbage; the footer still looks fine
    out["parquet_damaged.parquet"] = bytes(damaged)
    assert set(out) == set(EXPECTED), set(out) ^ set(EXPECTED)
    return out


def main() -> None:
    """Write every corpus file into ``files/``."""
    FILES.mkdir(exist_ok=True)
    for name, data in build().items():
        (FILES / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
