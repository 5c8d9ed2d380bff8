"""Cases of the same client: the one rule the new-case form and ``Workspace.record`` share."""

from __future__ import annotations

import datetime as dt

import polars as pl

__all__ = ["find_duplicates"]


def find_duplicates(
    cases: pl.DataFrame, *, client_id: str | None, client_name: str | None, birth_date: dt.date | None
) -> pl.DataFrame:
    """Stored cases of the same client: the same ``client_id``, or the same name (case and
    spaces ignored) and birth date.

    >>> cases = pl.DataFrame({"case_id": ["A", "B"], "client_id": ["P1", None],
    ...     "client_name": ["Ana  Ruiz", "Luis"], "birth_date": [dt.date(1980, 1, 2), None],
    ...     "closed_on": [dt.date(2026, 1, 1), None]})
    >>> same = find_duplicates(cases, client_id=None, client_name="ana ruiz", birth_date=dt.date(1980, 1, 2))
    >>> same["case_id"].to_list()
    ['A']
    >>> find_duplicates(cases, client_id="P1", client_name=None, birth_date=None).height
    1
    >>> find_duplicates(cases, client_id=None, client_name="Luis", birth_date=None).height
    0
    """

    def norm(expr: pl.Expr) -> pl.Expr:
        return expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()

    conds = []
    if client_id and "client_id" in cases.columns:
        conds.append(pl.col("client_id") == client_id.strip())
    if client_name and birth_date and {"client_name", "birth_date"} <= set(cases.columns):
        name = " ".join(client_name.lower().split())
        conds.append((norm(pl.col("client_name")) == name) & (pl.col("birth_date") == birth_date))
    if not conds:
        return cases.clear()
    return cases.filter(pl.any_horizontal(conds).fill_null(value=False))
