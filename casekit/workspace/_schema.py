"""The workspace's tables, generated from :mod:`casekit.contract` (no second copy).

Each contract sheet becomes a table with the sheet's columns (contract types, all
nullable: the contract is enforced by :func:`casekit.validate` before any write) plus
bookkeeping columns that start with ``_``:

- ``_pk``: the storage order (the order rows are exported in);
- ``_row_id``: the row's id — the contract id where the sheet has one (``case_id``,
  ``contact_id``…), else a generated surrogate; ``_key``: the key a re-import matches on
  (the contract id, or the natural key ``case|date|measure…`` plus its occurrence);
- ``_extra``: unknown columns of the row as JSON (they round-trip);
- ``_version``, ``_created_*``, ``_updated_*``, ``_deleted_*``: optimistic concurrency
  and soft deletion.

Besides the sheets: ``quarantine`` (rows held back by validation, with their issues),
``audit_log`` (the hash chain), ``workspace_meta`` (key/value), and for the access
control (:mod:`casekit.workspace._access`, revision 0002) ``users`` (e-mail → role) and
``assignments`` (who holds each case, from when to when).

Examples
--------
>>> sorted(c.name for c in TABLES["contacts"].columns if not c.name.startswith("_"))[:3]
['case_id', 'contact_id', 'contact_on']
>>> ID_COLUMN["contacts"], ID_COLUMN["screenings"]
('contact_id', None)
>>> PREFIX["contacts"], PREFIX["screenings"]
('K-', 'SCR-')
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from casekit.contract import EVENT_DATES, SHEET_ORDER, SHEETS, Column

__all__ = [
    "ASSIGNMENTS",
    "ID_COLUMN",
    "METADATA",
    "NATURAL_KEY",
    "PREFIX",
    "TABLES",
    "USERS",
    "column_type",
    "contract_column",
]

METADATA = sa.MetaData()

#: The contract id of each sheet (a unique ``id`` column other than the case's for
#: event sheets), or ``None`` when the sheet has none.
ID_COLUMN: dict[str, str | None] = {name: sheet.id_column for name, sheet in SHEETS.items()}

#: The natural key a re-import matches rows of sheets without an id on.
NATURAL_KEY: dict[str, tuple[str, ...]] = {
    name: ("case_id", EVENT_DATES[name], *(c for c in ("measure", "timepoint", "kind") if c in sheet.columns))
    for name, sheet in SHEETS.items()
    if ID_COLUMN[name] is None
}

#: Prefix of ids generated when a form or ``record`` leaves the id empty (documented in
#: docs/workspace.md): contract ids ``C-`` (cases), ``K-`` (contacts), ``G-`` (goals),
#: ``S-`` (services), ``T-`` (transitions); surrogates of sheets without an id.
PREFIX: dict[str, str] = {
    "cases": "C-",
    "contacts": "K-",
    "goals": "G-",
    "services": "S-",
    "transitions": "T-",
    "screenings": "SCR-",
    "assessments": "ASM-",
    "risk_reviews": "RR-",
    "outcomes": "OUT-",
}


def column_type(col: Column) -> sa.types.TypeEngine[Any]:
    """The SQL type of a contract column kind."""
    types: dict[str, sa.types.TypeEngine[Any]] = {
        "id": sa.Text(),
        "text": sa.Text(),
        "category": sa.Text(),
        "date": sa.Date(),
        "bool": sa.Boolean(create_constraint=False),
        "int": sa.BigInteger(),
        "float": sa.Float(),
    }
    return types[col.kind]


def contract_column(col: Column) -> sa.Column:
    """A nullable SQL column for a contract column (validation enforces ``required``)."""
    return sa.Column(col.name, column_type(col), nullable=True)


def _bookkeeping() -> list[sa.Column]:
    return [
        sa.Column("_extra", sa.Text(), nullable=True),
        sa.Column("_version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("_created_at", sa.Text(), nullable=False),
        sa.Column("_created_by", sa.Text(), nullable=False),
        sa.Column("_updated_at", sa.Text(), nullable=True),
        sa.Column("_updated_by", sa.Text(), nullable=True),
        sa.Column("_deleted_at", sa.Text(), nullable=True),
        sa.Column("_deleted_by", sa.Text(), nullable=True),
        sa.Column("_delete_reason", sa.Text(), nullable=True),
    ]


def _sheet_table(name: str) -> sa.Table:
    sheet = SHEETS[name]
    cols = [contract_column(c) for c in sheet.columns.values()]
    extra: list[sa.schema.SchemaItem] = []
    if name != "cases" and "case_id" in sheet.columns:
        extra.append(sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"], name=f"fk_{name}_case"))
        extra.append(sa.Index(f"ix_{name}_case", "case_id"))
    if name == "cases":
        extra.append(sa.UniqueConstraint("case_id", name="uq_cases_case_id"))
    return sa.Table(
        name,
        METADATA,
        sa.Column("_pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("_row_id", sa.Text(), nullable=False, unique=True),
        sa.Column("_key", sa.Text(), nullable=False, index=True),
        *cols,
        *_bookkeeping(),
        *extra,
    )


TABLES: dict[str, sa.Table] = {name: _sheet_table(name) for name in SHEET_ORDER}

QUARANTINE = sa.Table(
    "quarantine",
    METADATA,
    sa.Column("_pk", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("sheet", sa.Text(), nullable=False),
    sa.Column("row", sa.Integer(), nullable=True),
    sa.Column("case_id", sa.Text(), nullable=True, index=True),
    sa.Column("values", sa.Text(), nullable=False),  # the row as JSON (dates ISO)
    sa.Column("issues", sa.Text(), nullable=False),  # its issues as JSON (language-neutral)
    sa.Column("fingerprint", sa.Text(), nullable=False, unique=True),
    sa.Column("source", sa.Text(), nullable=True),
    sa.Column("_version", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("_created_at", sa.Text(), nullable=False),
    sa.Column("_created_by", sa.Text(), nullable=False),
    sa.Column("_resolved_at", sa.Text(), nullable=True),
    sa.Column("_resolved_by", sa.Text(), nullable=True),
)

AUDIT = sa.Table(
    "audit_log",
    METADATA,
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("at", sa.Text(), nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("action", sa.Text(), nullable=False),
    sa.Column("sheet", sa.Text(), nullable=True),
    sa.Column("row_id", sa.Text(), nullable=True),
    sa.Column("case_id", sa.Text(), nullable=True, index=True),
    sa.Column("before", sa.Text(), nullable=True),
    sa.Column("after", sa.Text(), nullable=True),
    sa.Column("prev_hash", sa.Text(), nullable=False),
    sa.Column("hash", sa.Text(), nullable=False),
)

META = sa.Table(
    "workspace_meta",
    METADATA,
    sa.Column("key", sa.Text(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=True),
)

#: Who may sign in, with what role (``casekit users add``; see docs/deployment.md).
USERS = sa.Table(
    "users",
    METADATA,
    sa.Column("email", sa.Text(), primary_key=True),  # lower-case
    sa.Column("role", sa.Text(), nullable=False),
    sa.Column("name", sa.Text(), nullable=True),  # the case-manager name of the cases
    sa.Column("language", sa.Text(), nullable=True),
    sa.Column("programs", sa.Text(), nullable=True),  # JSON list (supervisors)
    sa.Column("away", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()),
    sa.Column("cover", sa.Text(), nullable=True),  # e-mail of who covers while away
    sa.Column("_created_at", sa.Text(), nullable=False),
    sa.Column("_created_by", sa.Text(), nullable=False),
    sa.Column("_updated_at", sa.Text(), nullable=True),
    sa.Column("_updated_by", sa.Text(), nullable=True),
)

#: The history of who holds each case: ``to_on`` is null for the assignment in force.
#: A case without rows is held by its ``cases.case_manager`` (what an import brings).
ASSIGNMENTS = sa.Table(
    "assignments",
    METADATA,
    sa.Column("_pk", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Text(), sa.ForeignKey("cases.case_id", name="fk_assignments_case"), nullable=False),
    sa.Column("case_manager", sa.Text(), nullable=True),
    sa.Column("from_on", sa.Date(), nullable=True),
    sa.Column("to_on", sa.Date(), nullable=True),
    sa.Column("_created_at", sa.Text(), nullable=False),
    sa.Column("_created_by", sa.Text(), nullable=False),
    sa.Index("ix_assignments_case", "case_id"),
)
