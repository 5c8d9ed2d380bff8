"""``casekit.Workspace``: a team's case records in a database, validated and audited.

Examples
--------
>>> import tempfile, os, casekit as ck
>>> folder = tempfile.mkdtemp()
>>> os.environ["CASEKIT_HOME"] = folder  # where the audit key is kept (here: a scratch folder)
>>> ws = ck.Workspace.open(os.path.join(folder, "team.db"))
>>> case = ws.record("cases", {"case_id": "C-1", "opened_on": "2026-01-05"}, actor="ana")
>>> case["_version"]
1
>>> contact = ws.record("contacts", {"case_id": "C-1", "contact_on": "2026-01-06"}, actor="ana")
>>> contact["contact_id"].startswith("K-")
True
>>> ws.record("contacts", {"case_id": "C-9", "contact_on": "2026-01-06"}, actor="ana")
Traceback (most recent call last):
casekit.errors.RecordRejected: ...
>>> ws.data()["contacts"].height, ws.verify_audit().intact
(1, True)
>>> ws.close()
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import json
import os
import secrets
import sqlite3
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from casekit._case_index import case_keys, extended, with_case_keys
from casekit.contract import ROW, SHEET_ORDER, SHEETS
from casekit.data import DTYPES, ISSUE_SCHEMA, REPORT_SCHEMA, CaseData, ValidationResult
from casekit.errors import CasekitError, RecordRejected, StaleEdit
from casekit.i18n import normalize_lang
from casekit.workspace import _audit
from casekit.workspace._access import AccessMixin
from casekit.workspace._audit import AuditKey, default_actor, to_json
from casekit.workspace._frames import (
    STORED_ROW,
    base_key,
    expand_extra,
    extra_json,
    read_sheet,
    typed,
    with_keys,
    with_row,
)
from casekit.workspace._lazy import Lazy
from casekit.workspace._migrate import to_do
from casekit.workspace._reads import COLUMNS, HELD, LAST_CHANGE, REVISION, WORKSPACE_ID, SqliteReads
from casekit.workspace._roles import READ_ACTIONS
from casekit.workspace._where import resolve_url, sqlite_path, writer_lock

if TYPE_CHECKING:
    import sqlalchemy as sa

    from casekit.workspace import _backup, _engine, _migrate, _schema
else:  # loaded by the first write or read through SQLAlchemy: not to open a current SQLite workspace (_reads)
    sa, _backup, _engine = Lazy("sqlalchemy"), Lazy("casekit.workspace._backup"), Lazy("casekit.workspace._engine")
    _migrate, _schema = Lazy("casekit.workspace._migrate"), Lazy("casekit.workspace._schema")

__all__ = ["AuditCheck", "ImportResult", "Workspace", "default_actor"]

#: ``_row`` of the row being recorded, in the validation of ``record``/``update``.
NEW_ROW = 2
#: Folder names that mark a synced or network folder (SQLite must live on a local disk).
SYNCED = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "my drive",
    "icloud",
    "clouddocs",
    "mobile documents",
    "library/cloudstorage",
    "nextcloud",
    "owncloud",
    "sharepoint",
    "box sync",
)
#: Rows inserted and audited at a time by an import (bounded memory for a large workbook).
AUDIT_BATCH = 20_000
AUDIT_COLUMNS = ("seq", "at", "actor", "action", "sheet", "row_id", "case_id", "before", "after", "prev_hash", "hash")


@dataclass(frozen=True)
class ImportResult(ValidationResult):
    """The :class:`~casekit.data.ValidationResult` of an import, with what it did per sheet:
    ``counts[sheet] = {"added": n, "changed": n, "unchanged": n, "quarantined": n}``."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, what: str) -> int:
        """Rows ``added``, ``changed``, ``unchanged`` or ``quarantined`` over all sheets."""
        return sum(c.get(what, 0) for c in self.counts.values())


@dataclass(frozen=True)
class AuditCheck:
    """What :meth:`Workspace.verify_audit` found: ``intact``, else the first broken entry."""

    intact: bool
    first_broken: int | None = None
    entries: int = 0

    def __bool__(self) -> bool:
        return self.intact


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _text(value: Any) -> str | None:
    """A form value as the text a reader would see (dates ISO, booleans true/false)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class Workspace(AccessMixin):
    """A team's workspace: the nine sheets in SQLite or PostgreSQL, with an audit chain.

    Open it with :meth:`open`. Every write is validated with the contract first
    (nothing is written when it fails), versioned (optimistic concurrency) and audited.
    Reads (:meth:`data`, :meth:`result`, :meth:`case_record`) and writes take ``user=``,
    the signed-in e-mail, and are scoped to what that user's role allows
    (:mod:`casekit.workspace._access`); ``None`` is local mode, the administrator's view.
    """

    def __init__(self, engine: sa.Engine, url: str) -> None:
        with engine.connect() as conn:
            workspace_id = conn.execute(
                sa.select(_schema.META.c.value).where(_schema.META.c.key == "workspace_id")
            ).scalar()
        assert workspace_id is not None
        self._setup(url, engine, workspace_id)

    def _setup(self, url: str, engine: sa.Engine | None, workspace_id: str, reads: SqliteReads | None = None) -> None:
        self.url = url
        self._engine = engine
        self._engine_lock = threading.Lock()
        #: SQLite: the small reads without SQLAlchemy (``casekit.workspace._reads``), else None
        self._reads = reads if reads is not None else SqliteReads.of(url)
        self.workspace_id = workspace_id
        self._key = AuditKey(workspace_id)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine every write and every other read goes through; made on first
        use when the workspace was opened without it (:meth:`open`)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = _engine.make_engine(self.url)
        return self._engine

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, url_or_path: str | os.PathLike[str] | None = None, *, backup_dir: Path | None = None) -> Workspace:
        """Open (creating and migrating as needed) the workspace at a path or URL.

        ``None``: ``CASEKIT_DB``, else ``casekit.db`` in the working folder. PostgreSQL by
        URL (``postgresql+psycopg://user@host/db``). The schema is brought up to date
        under a lock, after a backup of an existing workspace. A SQLite workspace with
        nothing to migrate is opened without SQLAlchemy (its engine is made on first use).
        """
        url = resolve_url(url_or_path)
        db = sqlite_path(url)
        if db is not None:
            db.parent.mkdir(parents=True, exist_ok=True)
            _warn_if_synced(db)
            current = cls._without_engine(url)
            if current is not None:
                return current
        engine = _engine.make_engine(url)
        try:
            _migrate.migrate(engine, backup_dir=backup_dir)
            with _engine.write_tx(engine) as conn:
                if (
                    conn.execute(sa.select(_schema.META.c.value).where(_schema.META.c.key == "workspace_id")).scalar()
                    is None
                ):
                    conn.execute(
                        _schema.META.insert(),
                        [
                            {"key": "workspace_id", "value": secrets.token_hex(8)},
                            {"key": "created_at", "value": _audit.now()},
                        ],
                    )
        except sa.exc.DBAPIError as exc:  # not a database, unreachable server, refused login…
            engine.dispose()
            label = engine.url.render_as_string(hide_password=True)
            raise CasekitError("workspace.cannot_open", db=label, error=str(exc.orig).strip()) from exc
        ws = cls(engine, url)
        with engine.connect() as conn:
            empty = conn.execute(sa.select(sa.func.count()).select_from(_schema.AUDIT)).scalar() == 0
        if empty:
            ws._key.load(create=True)
        return ws

    @classmethod
    def _without_engine(cls, url: str) -> Workspace | None:
        """The SQLite workspace at ``url`` opened without SQLAlchemy when :meth:`open` would
        change nothing in it (the file exists, nothing to migrate, its id written); else
        ``None`` (then the full open: it creates, migrates or says why it cannot)."""
        reads = SqliteReads.of(url)
        if reads is None or not reads.db.is_file() or not _writable(reads.db):
            return None
        have: dict[str, set[str]] = {}
        revision, ids, empty = [], [], False
        try:
            with reads.transaction() as run:
                for row in run(COLUMNS):
                    have.setdefault(row["tbl"], set()).add(row["col"])
                if {"alembic_version", "workspace_meta", "audit_log"} <= set(have):
                    revision = run(REVISION)
                    ids = run(WORKSPACE_ID)
                    empty = not run("SELECT EXISTS (SELECT 1 FROM audit_log) AS any_entry")[0]["any_entry"]
        except sqlite3.Error:  # not a database, unreadable…: the full open says why
            reads.close()
            return None
        current = revision[0]["version_num"] if revision else None
        if not ids or ids[0]["value"] is None or to_do(current, have):
            reads.close()
            return None
        ws = cls.__new__(cls)
        ws._setup(url, None, ids[0]["value"], reads)
        if empty:
            ws._key.load(create=True)
        return ws

    def close(self) -> None:
        """Release the database connections."""
        if self._reads is not None:
            self._reads.close()
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({self.url_label!r})"

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self._reads is not None else self.engine.dialect.name

    def _rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of a read-only query (SQL text every backend runs), as dicts: SQLite's
        through :mod:`casekit.workspace._reads`, the others' through the engine."""
        if self._reads is not None:
            return self._reads.rows(sql)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(sql)).mappings()]

    # -- reading --------------------------------------------------------------------------

    def data(self, *, user: str | None = None) -> CaseData:
        """The valid, non-deleted rows as :class:`~casekit.data.CaseData` (as the readers return it).

        ``_row`` numbers rows in storage order (as in an export); unknown extra columns
        come back as text columns. ``case_manager`` is the assignment in force. With
        ``user=EMAIL``: only the cases that user may see (a case manager's caseload, a
        supervisor's programmes); :class:`~casekit.errors.AccessDenied` for an unknown
        e-mail, a researcher (see :meth:`research_extract`) or a trainer.
        """
        if user is not None:
            self._reader(user)  # refuse (audited) before reading anything
        frames, conformed = None, False
        if _reader(self.backend) == "adbc":
            try:
                if self.backend == "postgresql":
                    frames = self._read_adbc(self._data_queries())
                else:  # typed to the contract already (as kept in the snapshot)
                    frames, conformed = self._read_sqlite_arrow(), True
            except Exception:  # the driver missing or failing: the plain path below
                frames, conformed = None, False
        if frames is None:
            queries = self._data_queries()
            with self.engine.connect() as conn:
                if self.backend == "postgresql":  # one snapshot for the nine tables
                    conn.execution_options(isolation_level="REPEATABLE READ")
                frames = {s: pl.read_database(q, conn, infer_schema_length=None) for s, q in queries.items()}
        # the case index is the case's primary key (stable: a new case leaves the others' as
        # they were); every sheet is read with its ``_pk``, only the cases' is kept
        keys = (
            frames["cases"].select("case_id", pl.col("_pk").alias("key")) if "_pk" in frames["cases"].columns else None
        )
        sheets = {
            s: with_row(df.drop("_pk") if conformed else self._conform(s, df.drop("_pk", strict=False)), 2)
            for s, df in frames.items()
        }
        data = self._overlay(CaseData(sheets, source=self.url_label))
        data = self._scoped(data, user) if user is not None else data
        return with_case_keys(data, keys) if keys is not None else data

    @property
    def url_label(self) -> str:
        """The workspace as shown to users (no password; a plain SQLite URL as written)."""
        if self._reads is not None:  # SQLAlchemy shows it unchanged (casekit.workspace._reads.plain_sqlite)
            return self.url
        return self.engine.url.render_as_string(hide_password=True)

    def _data_queries(self) -> dict[str, str]:
        """Each sheet's query, as SQL text of the workspace's dialect."""
        out = {}
        for sheet in SHEET_ORDER:
            table = _schema.TABLES[sheet]
            cols = [table.c[c] for c in SHEETS[sheet].columns] + [table.c._extra, table.c._pk]
            query = sa.select(*cols).where(table.c._deleted_at.is_(None)).order_by(table.c._pk)
            out[sheet] = str(query.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True}))
        return out

    def _read_adbc(self, queries: dict[str, str]) -> dict[str, pl.DataFrame]:
        """PostgreSQL through ADBC: Arrow record batches that polars adopts without copying."""
        import adbc_driver_postgresql.dbapi as adbc

        uri = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with adbc.connect(uri) as conn:  # not autocommit: one transaction, one snapshot
            with conn.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            frames = {s: pl.read_database(q, conn) for s, q in queries.items()}
            conn.rollback()
            return frames

    def _read_sqlite_arrow(self) -> dict[str, pl.DataFrame]:
        """SQLite through ADBC in a child process (see :mod:`casekit.workspace._arrow_reader`),
        or the snapshot of the last read when the workspace has not changed since
        (:mod:`casekit.workspace._snapshot`): each sheet typed to the contract
        (:meth:`_conform`, done once per read and kept so) with its ``_pk`` last."""
        import subprocess
        import sys

        from casekit.workspace import _snapshot

        db = sqlite_path(self.url)
        assert db is not None
        queries = {s: _typed_first_row(s) for s in SHEET_ORDER}
        asked = _snapshot.version_query()
        (row,) = self._rows(asked)
        current = _snapshot.version(row, queries)
        kept = _snapshot.load(db, current, list(queries))
        if kept is not None:
            return kept
        with _snapshot.scratch(db) as out:  # the rows read stay in the workspace's own folder
            subprocess.run(
                [sys.executable, "-m", "casekit.workspace._arrow_reader", str(db), str(out)],
                input=json.dumps({_VERSION: asked} | queries),
                text=True,
                check=True,
                capture_output=True,
                timeout=900,
            )
            read_at = _snapshot.version(pl.read_ipc(out / f"{_VERSION}.arrow").row(0, named=True), queries)
            # the typed row first, then storage order (SQLite scans by primary key): sorted only if not
            raw = {s: _in_storage_order(pl.read_ipc(out / f"{s}.arrow")).slice(1) for s in queries}
        frames = {s: self._conform(s, df.drop("_pk")).with_columns(df.get_column("_pk")) for s, df in raw.items()}
        _snapshot.save(db, read_at, frames)  # the version read in the same transaction as the rows
        return frames

    def _conform(self, sheet: str, df: pl.DataFrame) -> pl.DataFrame:
        schema = {c: DTYPES[k.kind] for c, k in SHEETS[sheet].columns.items()} | {"_extra": pl.String()}
        if df.width == 0 or df.height == 0:
            df = pl.DataFrame(schema=schema)
        return expand_extra(typed(sheet, df.with_columns(pl.col("_extra").cast(pl.String))))

    def result(self, *, lang: str = "en", user: str | None = None) -> ValidationResult:
        """The stored state as a :class:`~casekit.data.ValidationResult`: the valid rows plus
        the quarantined rows with their problems (so quarantined cases stay visible)."""
        from casekit.validation import issue_report

        lang = normalize_lang(lang)
        data = self.data(user=user)
        held = self._rows(HELD)
        if user is not None:  # held-back rows of cases in the user's scope only
            scope = self.case_scope(user, lang=lang)
            if scope is not None:
                allowed = set(scope.to_list())
                held = [r for r in held if r["case_id"] in allowed]
        quarantined: dict[str, pl.DataFrame] = {}
        issues: list[dict[str, Any]] = []
        for sheet in SHEET_ORDER:
            rows = [r for r in held if r["sheet"] == sheet]
            if not rows:
                quarantined[sheet] = data[sheet].clear()
                continue
            values = [json.loads(r["values"]) | {ROW: r["row"]} for r in rows]
            names = list(dict.fromkeys(k for v in values for k in v))
            raw = pl.DataFrame(
                {n: pl.Series(n, [_text(v.get(n)) for v in values], dtype=pl.String) for n in names if n != ROW}
                | {ROW: pl.Series(ROW, [v[ROW] for v in values], dtype=pl.Int64)}
            )
            quarantined[sheet] = _typed_text(sheet, raw)
            for r in rows:
                issues += [i | {"sheet": sheet, "row": r["row"]} for i in json.loads(r["issues"])]
        issue_frame = pl.DataFrame(issues, schema=ISSUE_SCHEMA) if issues else pl.DataFrame(schema=ISSUE_SCHEMA)
        full = issue_frame.with_columns(
            other_column=pl.lit(None, dtype=pl.String), other_value=pl.lit(None, dtype=pl.String)
        )
        report = issue_report(full, lang=lang) if issues else pl.DataFrame(schema=REPORT_SCHEMA)
        return ValidationResult(data=data, report=report, quarantined=quarantined, issues=full, lang=lang)

    def last_change(self) -> int:
        """The sequence number of the last audit entry that changed data (0: none yet). It
        moves with every write; sign-ins, record views and refusals are audited too but
        change nothing, so they leave it: a cache keyed on it is current."""
        last = self._rows(LAST_CHANGE)
        return int(last[0]["seq"] or 0) if last else 0

    def result_since(self, result: ValidationResult, since: int) -> ValidationResult | None:
        """``result`` (the stored state as of audit entry ``since``) plus the rows recorded
        after it, without reading every table again; ``None`` when anything else changed
        since (an update, a delete, an import…): then read :meth:`result` afresh."""
        with self.engine.connect() as conn:
            entries = conn.execute(
                sa.select(_schema.AUDIT.c.action, _schema.AUDIT.c.sheet, _schema.AUDIT.c.row_id)
                .where(_schema.AUDIT.c.seq > since, _schema.AUDIT.c.action.notin_(READ_ACTIONS))
                .order_by(_schema.AUDIT.c.seq)
            ).all()
        if not entries or any(e.action != "record" or e.sheet not in SHEETS for e in entries):
            return None
        sheets = dict(result.data.sheets)
        for entry in entries:
            row = self.get(entry.sheet, entry.row_id)
            if row is None or entry.sheet not in sheets:
                return None
            spec = SHEETS[entry.sheet].columns
            schema = {c: DTYPES[k.kind] for c, k in spec.items()} | {"_extra": pl.String()}
            new = self._conform(entry.sheet, pl.DataFrame([{c: row[c] for c in schema}], schema=schema, orient="row"))
            old = sheets[entry.sheet]
            sheets[entry.sheet] = pl.concat([old, with_row(new, old.height + 2)], how="diagonal_relaxed")
        data = CaseData(sheets, issues=result.data.issues, source=result.data.source, headers=result.data.headers)
        data = self._keys_since(result.data, data, [e.row_id for e in entries if e.sheet == "cases"])
        data = extended(result.data, data)  # the case index too: the added rows coded, not all again
        return ValidationResult(
            data=data, report=result.report, quarantined=result.quarantined, issues=result.issues, lang=result.lang
        )

    def _keys_since(self, before: CaseData, data: CaseData, new_cases: list[str]) -> CaseData:
        """``data`` (``before`` plus recorded rows) with the case keys of ``before`` and the
        primary keys of the cases recorded since (their index, :meth:`data`)."""
        keys = case_keys(before)
        if keys is None:
            return data
        if new_cases:
            cases = _schema.TABLES["cases"]
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(cases.c.case_id, cases.c._pk).where(cases.c._row_id.in_(new_cases))).all()
            new = pl.DataFrame(rows, schema={"case_id": pl.String(), "key": keys.schema["key"]}, orient="row")
            keys = pl.concat([keys, new], how="vertical")
        return with_case_keys(data, keys)

    @property
    def synced_file(self) -> Path | None:
        """The workspace's SQLite file when it lives in a synced or network folder (it must
        be on a local disk: see docs/workspace.md), else ``None``."""
        path = sqlite_path(self.url)
        return path if path is not None and synced_folder(path) else None

    def quarantine(self) -> pl.DataFrame:
        """The held-back rows still to fix: id, sheet, row, case, values and issues (JSON)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    _schema.QUARANTINE.c._pk.label("id"),
                    _schema.QUARANTINE.c.sheet,
                    _schema.QUARANTINE.c.row,
                    _schema.QUARANTINE.c.case_id,
                    _schema.QUARANTINE.c["values"],
                    _schema.QUARANTINE.c.issues,
                    _schema.QUARANTINE.c._version,
                )
                .where(_schema.QUARANTINE.c._resolved_at.is_(None))
                .order_by(_schema.QUARANTINE.c._pk)
            ).all()
        schema = {
            "id": pl.Int64,
            "sheet": pl.String,
            "row": pl.Int64,
            "case_id": pl.String,
            "values": pl.String,
            "issues": pl.String,
            "_version": pl.Int64,
        }
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")

    def get(self, sheet: str, row_id: str) -> dict[str, Any] | None:
        """One stored row (with ``_row_id``, ``_version``…), or ``None``."""
        with self.engine.connect() as conn:
            return self._get(conn, sheet, row_id)

    def _get(self, conn: sa.Connection, sheet: str, row_id: str, *, deleted: bool = False) -> dict[str, Any] | None:
        table = _table(sheet)
        query = sa.select(table).where(table.c._row_id == row_id)
        if not deleted:
            query = query.where(table.c._deleted_at.is_(None))
        row = conn.execute(query).mappings().first()
        return dict(row) if row is not None else None

    def audit(self, case_id: str | None = None, *, user: str | None = None) -> pl.DataFrame:
        """The audit log (oldest first), or one case's entries."""
        query = sa.select(*(_schema.AUDIT.c[c] for c in AUDIT_COLUMNS)).order_by(_schema.AUDIT.c.seq)
        if case_id is not None:
            query = query.where(_schema.AUDIT.c.case_id == case_id)
        scope = self.case_scope(user) if user is not None else None
        if scope is not None:  # the entries of the user's cases only
            query = query.where(_schema.AUDIT.c.case_id.in_(scope.to_list()))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        schema = {c: (pl.Int64 if c == "seq" else pl.String) for c in AUDIT_COLUMNS}
        df = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
        return df.with_columns(pl.col("at").str.to_datetime(time_zone="UTC", time_unit="us"))

    def verify_audit(self) -> AuditCheck:
        """Whether the audit chain is intact (each entry's HMAC, the links, the recorded heads)."""
        key = self._key.load()
        with self.engine.connect() as conn:
            intact, broken = _audit.verify(conn, key, self._key.heads())
            n = conn.execute(sa.select(sa.func.count()).select_from(_schema.AUDIT)).scalar() or 0
        return AuditCheck(intact, broken, n)

    def dump(self) -> dict[str, dict[str, Any]]:
        """Every table's rows (a logical dump: what "the database is unchanged" compares)."""
        with self.engine.connect() as conn:
            return _backup.logical_dump(conn)

    # -- importing ------------------------------------------------------------------------

    def import_workbook(
        self,
        source: Any,
        *,
        actor: str | None = None,
        lang: str = "en",
        as_of: dt.date | None = None,
        month_first: bool = False,
        filename: str | None = None,
        user: str | None = None,
    ) -> ImportResult:
        """Import a workbook (anything :func:`casekit.read_workbook` reads, or ``CaseData``).

        Rows are validated together with what is stored (a contacts file for stored
        cases is fine); valid rows are added or update the stored row with the same key
        (id, or natural key), quarantined rows go to the ``quarantine`` table with their
        problems. Re-importing the same workbook changes nothing. Returns the import's
        :class:`ImportResult` (its report, and how many rows were added, changed,
        unchanged, quarantined).
        """
        from casekit.io import read_isolated
        from casekit.validation import validate

        if user is not None:
            self._check_write(user, "cases", None, {}, action="import", lang=lang)
        actor = actor or user or default_actor()
        lang = normalize_lang(lang)
        data = (
            source
            if isinstance(source, CaseData)
            # read in a child process with a memory and time limit, as uploads and the CLI are
            else read_isolated(source, lang=lang, month_first=month_first, filename=filename)
        )
        incoming = {s: with_keys(s, df) for s, df in data.sheets.items() if s in SHEETS}
        key = self._key.load(create=False)
        with _engine.write_tx(self.engine) as conn:
            stored = {s: read_sheet(conn, s, bookkeeping=True) for s in incoming}
            merged = {}
            for s, df in incoming.items():
                keep = stored[s].filter(~pl.col("_key").is_in(df.get_column("_key").implode()))
                keep = with_row(
                    keep.drop("_row_id", "_version", "_created_by", "_updated_at", "_updated_by"), STORED_ROW
                )
                merged[s] = pl.concat([df, expand_extra(keep)], how="diagonal_relaxed")
            if "cases" not in merged:  # event rows for stored cases
                cases = with_keys("cases", read_sheet(conn, "cases"))
                merged["cases"] = with_row(expand_extra(cases.drop("_row_id")), STORED_ROW)
            full = validate(
                CaseData(merged, issues=data.issues, source=data.source, headers=data.headers), lang=lang, as_of=as_of
            )
            result = _own_rows(full, data, lang)
            counts: dict[str, dict[str, int]] = {}
            stamp = _audit.now()
            token = secrets.token_hex(3)
            for sheet in SHEET_ORDER:
                if sheet not in incoming:
                    continue
                clean = result.data[sheet]
                counts[sheet] = self._upsert(
                    conn, key, sheet, clean, stored[sheet], actor=actor, stamp=stamp, token=token
                )
                counts[sheet]["quarantined"] = self._hold(
                    conn,
                    sheet,
                    result.quarantined.get(sheet),
                    result.issues,
                    actor=actor,
                    stamp=stamp,
                    source=data.source,
                )
            summary = {"actor": actor, "action": "import", "after": {"source": data.source, "counts": counts}}
            _audit.append_many(conn, key, [summary], at=stamp)  # after one entry per added or changed row
        return ImportResult(
            data=result.data,
            report=result.report,
            quarantined=result.quarantined,
            issues=result.issues,
            lang=lang,
            counts=counts,
        )

    def _upsert(
        self,
        conn: sa.Connection,
        key: bytes,
        sheet: str,
        clean: pl.DataFrame,
        stored: pl.DataFrame,
        *,
        actor: str,
        stamp: str,
        token: str,
    ) -> dict[str, int]:
        table = _schema.TABLES[sheet]
        contract = list(SHEETS[sheet].columns)
        clean = clean.with_columns(extra_json(sheet, clean))
        old = stored.select("_key", "_row_id", "_version", *contract, "_extra")
        joined = clean.join(old, on="_key", how="left", suffix="__old", nulls_equal=False)
        new = joined.filter(pl.col("_row_id").is_null())
        existing = joined.filter(pl.col("_row_id").is_not_null())
        same = pl.all_horizontal(pl.col(c).eq_missing(pl.col(f"{c}__old")) for c in [*contract, "_extra"])
        changed = existing.filter(~same)
        n_unchanged = existing.height - changed.height

        id_col = _schema.ID_COLUMN[sheet]
        prefix = _schema.PREFIX[sheet]
        if id_col is not None:
            row_id = pl.col(id_col)
        else:
            row_id = pl.format("{}{}-{}", pl.lit(prefix), pl.lit(token), pl.int_range(pl.len()).cast(pl.String))
        insert = new.select(
            row_id.alias("_row_id"),
            "_key",
            *contract,
            "_extra",
            pl.lit(stamp).alias("_created_at"),
            pl.lit(actor).alias("_created_by"),
        )
        if insert.height:
            for start in range(0, insert.height, AUDIT_BATCH):  # in batches: an import can add a million rows
                records = insert.slice(start, AUDIT_BATCH).to_dicts()
                conn.execute(table.insert(), records)
                entries = [
                    {
                        "actor": actor,
                        "action": "import",
                        "sheet": sheet,
                        "row_id": rec["_row_id"],
                        "case_id": rec.get("case_id"),
                        "after": {c: _jsonable(rec[c]) for c in [*contract, "_extra"] if rec[c] is not None},
                    }
                    for rec in records
                ]
                _audit.append_many(conn, key, entries, at=stamp)  # one entry per added row, with its values
        for rec in changed.to_dicts():
            before = {c: _jsonable(rec[f"{c}__old"]) for c in [*contract, "_extra"] if rec[f"{c}__old"] != rec[c]}
            after = {c: _jsonable(rec[c]) for c in before}
            conn.execute(
                table.update()
                .where(table.c._row_id == rec["_row_id"])
                .values(
                    {c: rec[c] for c in [*contract, "_extra"]}
                    | {"_version": table.c._version + 1, "_updated_at": stamp, "_updated_by": actor}
                )
            )
            _audit.append(
                conn,
                key,
                actor=actor,
                action="import_update",
                sheet=sheet,
                row_id=rec["_row_id"],
                case_id=rec["case_id"],
                before=before,
                after=after,
                at=stamp,
            )
        return {"added": insert.height, "changed": changed.height, "unchanged": n_unchanged}

    def _hold(
        self,
        conn: sa.Connection,
        sheet: str,
        held: pl.DataFrame | None,
        issues: pl.DataFrame | None,
        *,
        actor: str,
        stamp: str,
        source: str,
    ) -> int:
        """Store quarantined rows with their issues (once: a re-import adds nothing)."""
        if held is None or held.height == 0:
            return 0
        issues = issues if issues is not None else pl.DataFrame(schema=ISSUE_SCHEMA)
        mine = issues.filter(pl.col("sheet") == sheet)
        sheet_level = (
            mine.filter(pl.col("row").is_null()).select("column", "value", "check", "severity", "arg").to_dicts()
        )
        by_row: dict[int, list[dict[str, Any]]] = {}
        for rec in (
            mine.filter(pl.col("row").is_not_null())
            .select("row", "column", "value", "check", "severity", "arg")
            .iter_rows(named=True)
        ):
            by_row.setdefault(rec.pop("row"), []).append(rec)
        records = []
        for rec in held.drop("_key", strict=False).to_dicts():
            row = rec.pop(ROW)
            values = {k: _jsonable(v) for k, v in rec.items()}
            fingerprint = hashlib.sha256(f"{sheet}\0{to_json(values)}".encode()).hexdigest()
            records.append(
                {
                    "sheet": sheet,
                    "row": row,
                    "case_id": values.get("case_id"),
                    "values": to_json(values),
                    "issues": to_json(by_row.get(row, []) + sheet_level),
                    "fingerprint": fingerprint,
                    "source": source,
                    "_created_at": stamp,
                    "_created_by": actor,
                }
            )
        prints = [r["fingerprint"] for r in records]
        seen: set[str] = set()
        for i in range(0, len(prints), 500):
            seen |= set(
                conn.execute(
                    sa.select(_schema.QUARANTINE.c.fingerprint).where(
                        _schema.QUARANTINE.c.fingerprint.in_(prints[i : i + 500])
                    )
                )
                .scalars()
                .all()
            )
        fresh = []
        for r in records:
            if r["fingerprint"] not in seen:
                seen.add(r["fingerprint"])
                fresh.append(r)
        if fresh:
            conn.execute(_schema.QUARANTINE.insert(), fresh)
        return held.height

    # -- recording ------------------------------------------------------------------------

    def record(
        self,
        sheet: str,
        row: Mapping[str, Any],
        *,
        actor: str | None = None,
        lang: str = "en",
        as_of: dt.date | None = None,
        duplicate_client_ok: bool = False,
        user: str | None = None,
    ) -> dict[str, Any]:
        """Validate and store one new row; returns it as stored (with ``_row_id`` and ``_version``).

        Raises :class:`~casekit.errors.RecordRejected` (carrying the report rows, as
        :func:`casekit.validate` writes them) and writes nothing when the row breaks
        the contract: its sheet's schema or the rules for its case (unknown case,
        before opening, after closing, date order, override without a reason…). An
        empty id is generated (``K-…`` for a contact; see ``PREFIX``).

        A new case of a client who already has one (the same ``client_id``, or the same
        name and birth date) is refused (check ``duplicate_client``, naming those cases)
        unless ``duplicate_client_ok``: open or reopen the existing case instead, or
        confirm that the client starts a new one.

        ``user``: the signed-in e-mail, refused (:class:`~casekit.errors.AccessDenied`) outside
        its role or caseload.
        """
        actor = actor or user or default_actor()
        lang = normalize_lang(lang)
        table = _table(sheet)
        values = dict(row)
        id_col = _schema.ID_COLUMN[sheet]
        if id_col is not None and _text(values.get(id_col)) is None:
            values[id_col] = _schema.PREFIX[sheet] + secrets.token_hex(5).upper()
        parsed = self._parse(sheet, values)
        case_id = parsed.get_column("case_id")[0]
        if user is not None:
            self._check_write(user, sheet, case_id, values, action="record", lang=lang)
        key = self._key.load()
        with self.engine.connect() as conn:
            version = self._case_version(conn, case_id)
            self._check(conn, sheet, parsed, replacing=None, lang=lang, as_of=as_of)
        with _engine.write_tx(self.engine) as conn:
            if self._case_version(conn, case_id) != version:  # the case changed meanwhile
                self._check(conn, sheet, parsed, replacing=None, lang=lang, as_of=as_of)
            if sheet == "cases" and not duplicate_client_ok:  # checked with writers serialised
                self._check_same_client(conn, parsed, lang)
            if sheet == "risk_reviews":
                self._check_safety(conn, parsed, replacing=None, lang=lang)
            stamp = _audit.now()
            record = self._row_record(sheet, parsed)
            if id_col is not None:
                record["_row_id"] = record[id_col]
                if self._get(conn, sheet, record["_row_id"], deleted=True) is not None:
                    raise self._rejected_duplicate(sheet, parsed, lang)
                record["_key"] = record[id_col]
            else:
                record["_row_id"] = _schema.PREFIX[sheet] + secrets.token_hex(6).upper()
                record["_key"] = self._natural_key(conn, sheet, parsed)
            record |= {"_created_at": stamp, "_created_by": actor}
            conn.execute(table.insert().values(record))
            _audit.append(
                conn,
                key,
                actor=actor,
                action="record",
                sheet=sheet,
                row_id=record["_row_id"],
                case_id=record.get("case_id"),
                after=_public(record),
                at=stamp,
            )
            stored = self._get(conn, sheet, record["_row_id"])
            assert stored is not None
            return stored

    def update(
        self,
        sheet: str,
        row_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int,
        actor: str | None = None,
        lang: str = "en",
        as_of: dt.date | None = None,
        action: str = "update",
        user: str | None = None,
    ) -> dict[str, Any]:
        """Change a stored row; ``expected_version`` is the version the user saw.

        Raises :class:`~casekit.errors.StaleEdit` (naming who changed the row and when)
        when someone else saved it since, and :class:`~casekit.errors.RecordRejected`
        when the changed row breaks the contract; nothing is written then.
        """
        actor = actor or user or default_actor()
        lang = normalize_lang(lang)
        table = _table(sheet)
        id_col = _schema.ID_COLUMN[sheet]
        with self.engine.connect() as conn:
            current = self._current(conn, sheet, row_id, expected_version, lang)
            if id_col is not None and id_col in changes and _text(changes[id_col]) != current[id_col]:
                raise CasekitError("workspace.id_is_fixed", lang=lang, column=id_col)
            values = {c: current[c] for c in SHEETS[sheet].columns} | _extra_of(current) | dict(changes)
            if user is not None:
                self._check_write(user, sheet, current.get("case_id"), values, action=action, lang=lang)
            parsed = self._parse(sheet, values)
            self._check(conn, sheet, parsed, replacing=row_id, lang=lang, as_of=as_of)
            version = self._case_version(conn, current.get("case_id"))
        key = self._key.load()
        with _engine.write_tx(self.engine) as conn:
            current = self._current(conn, sheet, row_id, expected_version, lang)
            if self._case_version(conn, current.get("case_id")) != version:
                self._check(conn, sheet, parsed, replacing=row_id, lang=lang, as_of=as_of)
            if sheet == "risk_reviews":
                self._check_safety(conn, parsed, replacing=row_id, lang=lang)
            stamp = _audit.now()
            record = self._row_record(sheet, parsed)
            if id_col is None:
                record["_key"] = current["_key"]
            before = {c: _jsonable(current[c]) for c in record if current.get(c) != record[c]}
            after = {c: _jsonable(record[c]) for c in before}
            done = conn.execute(
                table.update()
                .where(table.c._row_id == row_id, table.c._version == expected_version)
                .values({**record, "_version": expected_version + 1, "_updated_at": stamp, "_updated_by": actor})
            )
            if done.rowcount != 1:  # pragma: no cover - serialised writers make this unreachable
                raise self._stale(conn, sheet, row_id, expected_version, lang)
            _audit.append(
                conn,
                key,
                actor=actor,
                action=action,
                sheet=sheet,
                row_id=row_id,
                case_id=current.get("case_id"),
                before=before,
                after=after,
                at=stamp,
            )
            stored = self._get(conn, sheet, row_id)
            assert stored is not None
            return stored

    def close_case(
        self,
        case_id: str,
        closed_on: dt.date | str,
        close_reason: str,
        *,
        actor: str | None = None,
        expected_version: int | None = None,
        lang: str = "en",
        user: str | None = None,
    ) -> dict[str, Any]:
        """Close a case (a recorded ``close`` action, validated like any update)."""
        version = expected_version if expected_version is not None else self._version_of("cases", case_id, lang)
        return self.update(
            "cases",
            case_id,
            {"closed_on": closed_on, "close_reason": close_reason},
            expected_version=version,
            actor=actor,
            lang=lang,
            action="close",
            user=user,
        )

    def reopen_case(
        self,
        case_id: str,
        *,
        actor: str | None = None,
        expected_version: int | None = None,
        lang: str = "en",
        user: str | None = None,
    ) -> dict[str, Any]:
        """Reopen a closed case (a recorded ``reopen`` action)."""
        version = expected_version if expected_version is not None else self._version_of("cases", case_id, lang)
        return self.update(
            "cases",
            case_id,
            {"closed_on": None, "close_reason": None},
            expected_version=version,
            actor=actor,
            lang=lang,
            action="reopen",
            user=user,
        )

    def delete(
        self,
        sheet: str,
        row_id: str,
        reason: str,
        *,
        expected_version: int,
        actor: str | None = None,
        lang: str = "en",
        user: str | None = None,
    ) -> None:
        """Soft-delete a row, with a reason: it leaves :meth:`data` and exports, stays in the
        database and the audit log, and :meth:`restore_row` brings it back. Deleting a case
        deletes its rows of the other sheets with it."""
        if user is not None:
            self._check_write(user, sheet, None, {}, action="delete", lang=lang)
        actor = actor or user or default_actor()
        if not reason or not reason.strip():
            raise CasekitError("workspace.reason_required", lang=lang)
        table = _table(sheet)
        key = self._key.load()
        with _engine.write_tx(self.engine) as conn:
            current = self._current(conn, sheet, row_id, expected_version, lang)
            stamp = _audit.now()
            marks = {"_deleted_at": stamp, "_deleted_by": actor, "_delete_reason": reason}
            conn.execute(
                table.update().where(table.c._row_id == row_id).values({**marks, "_version": table.c._version + 1})
            )
            children: dict[str, list[str]] = {}
            if sheet == "cases":
                for other in SHEET_ORDER[1:]:
                    t = _schema.TABLES[other]
                    cond = sa.and_(t.c.case_id == row_id, t.c._deleted_at.is_(None))
                    ids = conn.execute(sa.select(t.c._row_id).where(cond)).scalars().all()
                    if ids:
                        children[other] = list(ids)
                        conn.execute(t.update().where(cond).values({**marks, "_version": t.c._version + 1}))
            _audit.append(
                conn,
                key,
                actor=actor,
                action="delete",
                sheet=sheet,
                row_id=row_id,
                case_id=current.get("case_id"),
                before=_public(current),
                after={"reason": reason, "with": children} if children else {"reason": reason},
                at=stamp,
            )

    def restore_row(
        self, sheet: str, row_id: str, *, actor: str | None = None, lang: str = "en", user: str | None = None
    ) -> dict[str, Any]:
        """Bring back a soft-deleted row (and, for a case, the rows deleted with it). An admin action."""
        if user is not None:
            self._check_write(user, sheet, None, {}, action="restore", lang=lang)
        actor = actor or user or default_actor()
        table = _table(sheet)
        key = self._key.load()
        with _engine.write_tx(self.engine) as conn:
            current = self._get(conn, sheet, row_id, deleted=True)
            if current is None or current["_deleted_at"] is None:
                raise CasekitError("workspace.not_deleted", lang=lang, sheet=sheet, row_id=row_id)
            stamp = _audit.now()
            clear = {
                "_deleted_at": None,
                "_deleted_by": None,
                "_delete_reason": None,
                "_updated_at": stamp,
                "_updated_by": actor,
            }
            conn.execute(
                table.update().where(table.c._row_id == row_id).values({**clear, "_version": table.c._version + 1})
            )
            if sheet == "cases":
                for other in SHEET_ORDER[1:]:
                    t = _schema.TABLES[other]
                    cond = sa.and_(t.c.case_id == row_id, t.c._deleted_at == current["_deleted_at"])
                    conn.execute(t.update().where(cond).values({**clear, "_version": t.c._version + 1}))
            _audit.append(
                conn,
                key,
                actor=actor,
                action="restore",
                sheet=sheet,
                row_id=row_id,
                case_id=current.get("case_id"),
                at=stamp,
            )
            stored = self._get(conn, sheet, row_id)
            assert stored is not None
            return stored

    def resolve_quarantined(
        self,
        quarantine_id: int,
        row: Mapping[str, Any],
        *,
        actor: str | None = None,
        lang: str = "en",
        user: str | None = None,
    ) -> dict[str, Any]:
        """Fix a held-back row: ``row`` is validated and recorded like :meth:`record` (as
        ``user``, when given), then the quarantine entry is marked resolved."""
        actor = actor or user or default_actor()
        with self.engine.connect() as conn:
            entry = conn.execute(sa.select(_schema.QUARANTINE).where(_schema.QUARANTINE.c._pk == quarantine_id)).first()
        if entry is None or entry._resolved_at is not None:
            raise CasekitError("workspace.no_such_row", lang=lang, sheet="quarantine", row_id=str(quarantine_id))
        stored = self.record(
            entry.sheet, row, actor=actor, lang=lang, duplicate_client_ok=True, user=user
        )  # as the import
        with _engine.write_tx(self.engine) as conn:
            conn.execute(
                _schema.QUARANTINE.update()
                .where(_schema.QUARANTINE.c._pk == quarantine_id)
                .values(_resolved_at=_audit.now(), _resolved_by=actor, _version=_schema.QUARANTINE.c._version + 1)
            )
            _audit.append(
                conn,
                self._key.load(),
                actor=actor,
                action="resolve_quarantine",
                sheet=entry.sheet,
                row_id=stored["_row_id"],
                case_id=stored.get("case_id"),
                before=json.loads(entry.values),
            )
        return stored

    # -- exporting, backups -----------------------------------------------------------------

    def export(
        self,
        path: str | Path,
        *,
        lang: str = "en",
        actor: str | None = None,
        format: Literal["parquet", "csv"] | None = None,
        user: str | None = None,
    ) -> Path:
        """Write today's workbook (``.xlsx``, or a folder of Parquet/CSV files) readable by
        :func:`casekit.read_workbook`; audited, and the head of the audit chain is recorded
        outside the database. With ``user``: only the cases that user may see."""
        from casekit.export import write_workbook

        actor = actor or user or default_actor()
        data = self.data(user=user)
        out = write_workbook(data, Path(path), lang=lang, format=format)
        key = self._key.load()
        with _engine.write_tx(self.engine) as conn:
            seq, digest = _audit.append(
                conn, key, actor=actor, action="export", after={"path": str(path), "rows": data.n_rows()}
            )
        self._key.record_head(seq, digest)
        return out if isinstance(out, Path) else Path(path)

    def backup(self, path: str | Path) -> Path:
        """A backup of the whole workspace (SQLite: online backup API; PostgreSQL: a logical dump)."""
        return _backup.backup(self.engine, path)

    def restore(self, path: str | Path, *, actor: str | None = None) -> None:
        """Replace the workspace's contents with a backup (the restore itself is audited)."""
        actor = actor or default_actor()
        _backup.restore(self.engine, path)
        key = self._key.load()
        with _engine.write_tx(self.engine) as conn:
            last = conn.execute(sa.select(sa.func.max(_schema.AUDIT.c.seq))).scalar() or 0
            seq, digest = _audit.append(conn, key, actor=actor, action="restore", after={"from": str(path)})
        heads = [(s, h) for s, h in self._key.heads() if s <= last]
        if self._key.heads_path.exists():
            self._key.heads_path.replace(self._key.heads_path.with_suffix(f".heads.before-restore-{seq}"))
        for s, h in [*heads, (seq, digest)]:
            self._key.record_head(s, h)

    # -- helpers ----------------------------------------------------------------------------

    def _parse(self, sheet: str, values: Mapping[str, Any]) -> pl.DataFrame:
        """One row through the reader's parser: the same types and messages as an import."""
        from casekit.io import parse_frame

        cols = {k: _text(v) for k, v in values.items() if not k.startswith("_")}
        raw = pl.DataFrame({k: pl.Series(k, [v], dtype=pl.String) for k, v in cols.items()}).with_columns(
            pl.lit(NEW_ROW, dtype=pl.Int64).alias(ROW)
        )
        frame, issues = parse_frame(sheet, raw, {k: k for k in cols}, month_first=False, decimal_comma=False)
        return _attach(frame, issues)

    def _check(
        self,
        conn: sa.Connection,
        sheet: str,
        parsed: pl.DataFrame,
        *,
        replacing: str | None,
        lang: str,
        as_of: dt.date | None,
    ) -> None:
        """Validate ``parsed`` with the stored rows of its case; raise RecordRejected on new errors."""
        from casekit.validation import issue_report, validate

        issues = parsed.get_column("__parse_issues__")[0] if "__parse_issues__" in parsed.columns else None
        row = parsed.drop("__parse_issues__", strict=False)
        case_id = row.get_column("case_id")[0]
        id_col = _schema.ID_COLUMN[sheet]
        sheets: dict[str, pl.DataFrame] = {}
        # a row of an event sheet is checked against its case only; a case against all its rows
        needed = SHEET_ORDER if sheet == "cases" else ("cases", sheet)
        for s in needed:
            t = _schema.TABLES[s]
            cond = t.c.case_id == case_id
            if s == sheet and id_col is not None:
                cond = sa.or_(cond, t.c[id_col] == row.get_column(id_col)[0])
            stored = read_sheet(conn, s, cond if case_id is not None or s == sheet else sa.false())
            if s == sheet and replacing is not None:
                stored = stored.filter(pl.col("_row_id") != replacing)
            stored = with_row(expand_extra(stored.drop("_row_id")), STORED_ROW)
            sheets[s] = pl.concat([row, stored], how="diagonal_relaxed") if s == sheet else stored
        reader_issues = issues if issues is not None else pl.DataFrame(schema=ISSUE_SCHEMA)
        after = validate(CaseData(sheets, issues=reader_issues), lang=lang, as_of=as_of, report=False)
        assert after.issues is not None
        errors = after.issues.filter(pl.col("severity") == "error")
        new = errors.filter(((pl.col("sheet") == sheet) & (pl.col("row") == NEW_ROW)) | pl.col("row").is_null())
        others = errors.filter(pl.col("row") >= STORED_ROW)
        if sheet == "cases" and others.height:  # a case change may break its other rows
            base = dict(sheets)
            base["cases"] = sheets["cases"].filter(pl.col(ROW) != NEW_ROW)
            old = self._stored_case_row(conn, replacing)
            if old is not None:
                base["cases"] = pl.concat([old, base["cases"]], how="diagonal_relaxed")
            before = validate(CaseData(base), lang=lang, as_of=as_of, report=False).issues
            assert before is not None
            known = before.filter(pl.col("severity") == "error").select("sheet", "row", "column", "check")
            new = pl.concat([new, others.join(known, on=["sheet", "row", "column", "check"], how="anti")])
        if new.height:
            raise RecordRejected(issue_report(new, lang=lang), lang=lang)

    def same_client(self, row: Mapping[str, Any]) -> pl.DataFrame:
        """The stored cases of the client of ``row`` (a case): the same ``client_id``, or
        the same name and birth date (see :func:`casekit.workspace._clients.find_duplicates`)."""
        with self.engine.connect() as conn:
            return self._same_client(conn, self._parse("cases", dict(row)).drop("__parse_issues__"))

    def _same_client(self, conn: sa.Connection, parsed: pl.DataFrame) -> pl.DataFrame:
        from casekit.workspace._clients import find_duplicates

        rec = parsed.row(0, named=True)
        t = _schema.TABLES["cases"]
        conds = []
        if rec.get("client_id"):
            conds.append(t.c.client_id == rec["client_id"])
        if rec.get("client_name") and rec.get("birth_date"):
            conds.append(t.c.birth_date == rec["birth_date"])
        if not conds:
            return read_sheet(conn, "cases", sa.false()).drop("_row_id")
        found = read_sheet(conn, "cases", sa.or_(*conds)).drop("_row_id")
        if rec.get("case_id") is not None:
            found = found.filter(pl.col("case_id") != rec["case_id"])
        return find_duplicates(
            found, client_id=rec.get("client_id"), client_name=rec.get("client_name"), birth_date=rec.get("birth_date")
        )

    def _check_same_client(self, conn: sa.Connection, parsed: pl.DataFrame, lang: str) -> None:
        same = self._same_client(conn, parsed.drop("__parse_issues__", strict=False))
        if same.height == 0:
            return
        ids = ", ".join(same["case_id"].to_list())
        client_id = parsed.row(0, named=True).get("client_id")
        column = "client_id" if client_id is not None and client_id in same["client_id"].to_list() else "client_name"
        raise _refusal(parsed, lang, sheet="cases", column=column, check="duplicate_client", value=pl.lit(ids))

    def _check_safety(self, conn: sa.Connection, parsed: pl.DataFrame, *, replacing: str | None, lang: str) -> None:
        """Refuse a risk review that leaves a red flag of its case open: one raised on or before
        the review's date with no safety action recorded since (the rule of the worklist's
        ``safety_red_flag``, :func:`casekit.stages.open_red_flags`, with the shipped risk model).
        An edit of a stored review that already left one open is not refused for it."""
        from casekit.risk import load_model
        from casekit.stages import open_red_flags

        row = parsed.drop("__parse_issues__", strict=False)
        case_id, day = row.get_column("case_id")[0], row.get_column("reviewed_on")[0]
        if case_id is None or day is None:  # refused by the contract already
            return
        sheets = {}
        for s in ("cases", "screenings", "assessments", "risk_reviews"):
            stored = read_sheet(conn, s, _schema.TABLES[s].c.case_id == case_id)
            sheets[s] = with_row(expand_extra(stored), STORED_ROW)
        others = sheets["risk_reviews"].filter(pl.col("_row_id") != replacing) if replacing else sheets["risk_reviews"]

        def left_open(review: pl.DataFrame, on: dt.date) -> list[str]:
            reviews = pl.concat([others.drop("_row_id"), review.drop("_row_id", strict=False)], how="diagonal_relaxed")
            found = open_red_flags(CaseData({**sheets, "risk_reviews": reviews}), as_of=on)
            return found.get_column("red_flags")[0].to_list() if found.height else []

        flags = left_open(row, day)
        if not flags:
            return
        old = sheets["risk_reviews"].filter(pl.col("_row_id") == (replacing or ""))
        if old.height and left_open(old, old["reviewed_on"][0]):  # the stored review left it open already
            return
        labels = {f.name: f.label(lang) for f in load_model().red_flags}
        named = pl.lit(", ".join(labels.get(f, f) for f in flags))
        raise _refusal(
            row, lang, sheet="risk_reviews", column="safety_action", check="safety_action_required", value=named
        )

    def _stored_case_row(self, conn: sa.Connection, case_id: str | None) -> pl.DataFrame | None:
        if case_id is None:
            return None
        stored = read_sheet(conn, "cases", _schema.TABLES["cases"].c._row_id == case_id)
        if stored.height == 0:
            return None
        return with_row(expand_extra(stored.drop("_row_id")), STORED_ROW - 1)

    def _case_version(self, conn: sa.Connection, case_id: str | None) -> tuple[int, str | None] | None:
        if case_id is None:
            return None
        t = _schema.TABLES["cases"]
        found = conn.execute(sa.select(t.c._version, t.c._deleted_at).where(t.c.case_id == case_id)).first()
        return (found._version, found._deleted_at) if found else None

    def _current(
        self, conn: sa.Connection, sheet: str, row_id: str, expected_version: int, lang: str
    ) -> dict[str, Any]:
        current = self._get(conn, sheet, row_id)
        if current is None:
            raise CasekitError("workspace.no_such_row", lang=lang, sheet=sheet, row_id=row_id)
        if current["_version"] != expected_version:
            raise self._stale(conn, sheet, row_id, expected_version, lang)
        return current

    def _stale(self, conn: sa.Connection, sheet: str, row_id: str, expected: int, lang: str) -> StaleEdit:
        row = self._get(conn, sheet, row_id, deleted=True) or {}
        who = row.get("_deleted_by") or row.get("_updated_by") or row.get("_created_by") or "?"
        when = row.get("_deleted_at") or row.get("_updated_at") or row.get("_created_at") or "?"
        return StaleEdit(
            "workspace.stale_edit",
            lang=lang,
            sheet=sheet,
            row_id=row_id,
            expected=expected,
            version=row.get("_version"),
            who=who,
            when=when,
        )

    def _version_of(self, sheet: str, row_id: str, lang: str) -> int:
        current = self.get(sheet, row_id)
        if current is None:
            raise CasekitError("workspace.no_such_row", lang=lang, sheet=sheet, row_id=row_id)
        return int(current["_version"])

    def _row_record(self, sheet: str, parsed: pl.DataFrame) -> dict[str, Any]:
        row = parsed.drop("__parse_issues__", strict=False)
        record = row.select(list(SHEETS[sheet].columns)).to_dicts()[0]
        record["_extra"] = extra_json(sheet, row.drop(ROW))[0]
        return record

    def _natural_key(self, conn: sa.Connection, sheet: str, parsed: pl.DataFrame) -> str:
        base = parsed.select(base_key(sheet)).item()
        t = _schema.TABLES[sheet]
        n = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c._key.like(f"{base}#%"))).scalar() or 0
        return f"{base}#{n}"

    def _rejected_duplicate(self, sheet: str, parsed: pl.DataFrame, lang: str) -> RecordRejected:
        id_col = _schema.ID_COLUMN[sheet]
        assert id_col is not None
        return _refusal(parsed, lang, sheet=sheet, column=id_col, check="unique", value=pl.col(id_col))


_SENTINEL = {
    "id": "'x'",
    "text": "'x'",
    "category": "'x'",
    "date": "'2000-01-01'",
    "bool": "0",
    "int": "0",
    "float": "0.5",
}


#: The reader's output holding the data version its rows were read at (:mod:`casekit.workspace._snapshot`).
_VERSION = "_version"


def _in_storage_order(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` sorted on ``_pk`` (a no-op when it already is, as SQLite returns it).

    >>> _in_storage_order(pl.DataFrame({"_pk": [-1, 2, 1]}))["_pk"].to_list()
    [-1, 1, 2]
    """
    return frame if frame["_pk"].is_sorted() else frame.sort("_pk")


def _typed_first_row(sheet: str) -> str:
    """The ADBC SQLite driver takes each column's Arrow type from the first rows (a column
    empty there would become int64 and fail further down): a typed first row, dropped
    after reading, leads the query (no ORDER BY: the caller checks storage order, :func:`_in_storage_order`)."""
    cols = list(SHEETS[sheet].columns)
    first = ", ".join(f'{_SENTINEL[SHEETS[sheet].columns[c].kind]} AS "{c}"' for c in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    return (
        f"SELECT * FROM (SELECT -1 AS _pk, {first}, '{{}}' AS _extra "
        f'UNION ALL SELECT _pk, {names}, _extra FROM "{sheet}" WHERE _deleted_at IS NULL)'
    )


def _reader(backend: str) -> str:
    """The read path of :meth:`Workspace.data`: ``CASEKIT_READER`` (``adbc`` or ``sqlalchemy``),
    else ADBC when its driver is installed. On SQLite the ADBC read runs in a child process:
    the driver bundles a second copy of SQLite, and two copies in one process break SQLite's
    file locks (measured: stale reads, "disk I/O error") — see docs/workspace.md."""
    choice = os.environ.get("CASEKIT_READER", "").strip().lower()
    if choice in ("adbc", "sqlalchemy"):
        return choice
    # installed? (found, not imported: a snapshot's read needs no driver; a failing driver
    # makes data() take the plain path)
    found = importlib.util.find_spec("adbc_driver_sqlite" if backend == "sqlite" else "adbc_driver_postgresql")
    return "adbc" if found is not None else "sqlalchemy"


def _refusal(parsed: pl.DataFrame, lang: str, *, sheet: str, column: str, check: str, value: pl.Expr) -> RecordRejected:
    """The refusal of one parsed row: an issue ``check`` on ``column`` (``value`` shown), as a report."""
    from casekit.validation import issue_report, issues_from

    issues = issues_from(
        parsed.drop("__parse_issues__", strict=False), sheet=sheet, column=column, check=check, value=value
    )
    assert isinstance(issues, pl.DataFrame)  # eager in, eager out
    return RecordRejected(issue_report(issues, lang=lang), lang=lang)


def _attach(frame: pl.DataFrame, issues: pl.DataFrame) -> pl.DataFrame:
    """Carry the parser's issues with the one-row frame (an object column, dropped before use)."""
    return frame.with_columns(pl.Series("__parse_issues__", [issues], dtype=pl.Object))


def _extra_of(current: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(current["_extra"]) if current.get("_extra") else {}


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in record.items() if not k.startswith("_") or k in ("_row_id", "_extra")}


def _table(sheet: str) -> sa.Table:
    if sheet not in _schema.TABLES:
        raise CasekitError("workspace.unknown_sheet", sheet=sheet, sheets=", ".join(SHEET_ORDER))
    return _schema.TABLES[sheet]


def _typed_text(sheet: str, raw: pl.DataFrame) -> pl.DataFrame:
    """Stored texts typed as the reader types a file's, conformed to the contract."""
    from casekit.io import parse_frame
    from casekit.validation import prepare

    cols = {c: c for c in raw.columns if c != ROW}
    frame, _ = parse_frame(sheet, raw, cols, month_first=False, decimal_comma=False)
    return prepare(sheet, frame)[0]


def _own_rows(full: ValidationResult, data: CaseData, lang: str) -> ValidationResult:
    """The part of a validation of (incoming + stored) rows that concerns the incoming rows."""
    from casekit.validation import issue_report

    assert full.issues is not None
    issues = full.issues.filter(pl.col("row").is_null() | (pl.col("row") < STORED_ROW))
    incoming = set(data.sheets)
    issues = issues.filter(pl.col("sheet").is_in(list(incoming)))
    own = {s: df.filter(pl.col(ROW) < STORED_ROW) for s, df in full.data.sheets.items() if s in incoming}
    held = {s: df.filter(pl.col(ROW) < STORED_ROW) for s, df in full.quarantined.items() if s in incoming}
    report = issue_report(issues, lang=lang, headers=data.headers)
    return ValidationResult(
        data=CaseData(own, issues=data.issues, source=data.source, headers=data.headers),
        report=report,
        quarantined=held,
        issues=issues,
        lang=lang,
    )


def _writable(db: Path) -> bool:
    """Whether this process may write the SQLite file ``db`` and its writers' lock file (the full
    open's write transaction needs both: without them it fails, and says why, as it always did)."""
    lock = writer_lock(db)
    return os.access(db, os.W_OK) and os.access(lock if lock.exists() else db.parent, os.W_OK)


def _warn_if_synced(db: Path) -> None:
    """Warn when the SQLite file is in a synced or network folder (it must be on a local disk)."""
    from casekit.i18n import t

    if synced_folder(db):
        warnings.warn(t("workspace.synced_folder", None, path=str(db)), stacklevel=3)


@functools.cache
def synced_folder(db: Path) -> bool:
    """Whether ``db`` lives in a synced folder (Dropbox, OneDrive, Google Drive, iCloud…, by
    the names of its folders) or on a network file system.

    >>> synced_folder(Path("/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/casekit.db"))
    True
    >>> synced_folder(Path("C:/Users/ana/OneDrive - Clinic/casekit.db")), synced_folder(Path("/srv/casekit.db"))
    (True, False)
    """
    text = str(db.resolve()).lower().replace("\\", "/")
    if any(name in text for name in SYNCED):
        return True
    try:
        import subprocess

        out = subprocess.run(
            ["stat", "-f", "-c", "%T", str(db.resolve().parent)], capture_output=True, text=True, timeout=2, check=False
        )
    except Exception:
        return False
    return out.stdout.strip() in ("cifs", "smb2", "smbfs", "nfs", "fuse.sshfs", "9p")
