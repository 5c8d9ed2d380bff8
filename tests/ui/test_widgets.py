"""The tables' Arrow as sent to the browser (casekit/ui/widgets.py, issue 18)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from casekit.ui.widgets import PAGED_ROWS, light_arrow, sent_whole_rows


def test_repeated_texts_are_dictionary_encoded_with_the_narrowest_index() -> None:
    rows = 2 * 40_000
    table = pa.table(
        {
            "priority": pa.array(["1 · Safety", "2 · Overdue", None, "3"] * (rows // 4), pa.large_string()),
            "manager": [f"m{i % 200}" for i in range(rows)],  # 200 values: int16
            "link": [f"case?case=C{i % 40_000}" for i in range(rows)],  # 40,000: int32
            "id": [f"C{i}" for i in range(rows)],  # every value once: kept as it is
            "days": list(range(rows)),
        }
    )
    light = light_arrow(table)
    types = {f.name: f.type for f in light.schema}
    assert types["priority"] == pa.dictionary(pa.int8(), pa.string())
    assert types["manager"] == pa.dictionary(pa.int16(), pa.string())
    assert types["link"] == pa.dictionary(pa.int32(), pa.string())
    assert types["id"] == pa.string()
    assert types["days"] == pa.int64()
    assert light.column_names == table.column_names
    assert light.num_rows == rows
    for name in table.column_names:  # the same values, blanks and order
        assert light[name].to_pylist() == table[name].to_pylist()
    assert all(light[c].nbytes < table[c].nbytes / 2 for c in ("priority", "manager"))


@pytest.mark.parametrize("distinct", [128, 129, 2**15, 2**15 + 1])
def test_the_index_holds_every_value(distinct: int) -> None:
    values = [f"v{i % distinct}" for i in range(2 * distinct)]
    light = light_arrow(pa.table({"v": values}))
    assert light["v"].to_pylist() == values


def test_chunked_and_empty_tables() -> None:
    chunked = pa.concat_tables([pa.table({"t": ["a", "b", "a"]}), pa.table({"t": ["a", "a", "b"]})])
    assert light_arrow(chunked)["t"].to_pylist() == ["a", "b", "a", "a", "a", "b"]
    empty = pa.table({"t": pa.array([], pa.large_string())})
    assert light_arrow(empty).num_rows == 0


def test_a_paged_table_stays_plain_outside_apptest() -> None:
    """Above PAGED_ROWS a server pages the table and sorts it with pyarrow, which cannot sort a
    table on a dictionary column: it is not made light (AppTest sends every table whole)."""
    assert sent_whole_rows(PAGED_ROWS)
    assert not sent_whole_rows(PAGED_ROWS + 1)
    light = light_arrow(pa.table({"t": ["a", "b"] * 10}))
    with pytest.raises(pa.ArrowNotImplementedError):  # why: Streamlit's server-side sort of a paged table
        pa.compute.sort_indices(light, sort_keys=[("t", "ascending")])
