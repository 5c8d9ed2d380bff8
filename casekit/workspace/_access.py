"""Who may see and record what: users, roles, case assignments, enforced where data is read.

Roles (docs/deployment.md has the full table):

- ``case_manager``: their own caseload — the cases whose *current* assignee is the
  case-manager name the user is linked to (``users add --name``, matched case- and
  accent-insensitively); records contacts, screenings, assessments, goals, services,
  transitions, outcomes and safety-only risk reviews (no tier override) of those cases.
- ``supervisor``: every case of their programme(s) (all programmes when none is given);
  records everything of those cases, overrides tiers, reassigns, closes and reopens.
- ``researcher``: only :meth:`~casekit.Workspace.research_extract` (de-identified).
- ``trainer``: the bundled sample only (no workspace read at all).
- ``admin``: everything, the users, deletions and restores.

The ``assignments`` table is the history of who holds each case; a case without rows is
held by its ``cases.case_manager`` from its opening (what an import brings: its first
assignment). :class:`AccessMixin` gives :class:`~casekit.Workspace` the user methods;
every refused access raises :class:`~casekit.errors.AccessDenied` and is written to the
audit log (action ``denied``).

Examples
--------
>>> name_key("  José   PÉREZ ")
'jose perez'
>>> df = pl.DataFrame({"m": ["José Pérez", "jose perez", None]})
>>> df.select(name_key_expr(pl.col("m"))).to_series().to_list()
['jose perez', 'jose perez', None]
>>> can_record("case_manager", "contacts", {}), can_record("case_manager", "cases", {})
(True, False)
>>> can_record("case_manager", "risk_reviews", {"override_tier": "high"})
False
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from casekit.contract import SHEET_ORDER
from casekit.errors import AccessDenied, CasekitError
from casekit.i18n import LANGS
from casekit.workspace import _audit
from casekit.workspace._audit import default_actor
from casekit.workspace._lazy import Lazy
from casekit.workspace._reads import ASSIGNED
from casekit.workspace._roles import CASE_MANAGER_SHEETS, RECORD_ROLES, ROLES, can_record

if TYPE_CHECKING:
    import sqlalchemy as sa

    from casekit.workspace import _engine, _schema
else:  # loaded by the first query through SQLAlchemy (casekit.workspace._lazy)
    sa, _engine, _schema = Lazy("sqlalchemy"), Lazy("casekit.workspace._engine"), Lazy("casekit.workspace._schema")

__all__ = [
    "CASE_MANAGER_SHEETS",
    "ROLES",
    "AccessMixin",
    "User",
    "can_record",
    "name_key",
    "name_key_expr",
]

_ASSIGN_SCHEMA = {
    "case_id": pl.String,
    "case_manager": pl.String,
    "from_on": pl.Date,
    "to_on": pl.Date,
    "by": pl.String,
}


def name_key(name: str | None) -> str | None:
    """A case-manager name for matching: accents off, case folded, spaces collapsed."""
    if name is None:
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    key = " ".join(text.casefold().split())
    return key or None


def name_key_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`name_key` as a polars expression (the same rule, column-wise)."""
    key = (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.when(key == "").then(None).otherwise(key)


@dataclass(frozen=True)
class User:
    """A row of ``users``: who signs in (``email``), their ``role``, the case-manager
    ``name`` their caseload is matched on, ``language``, ``programs`` (supervisors),
    ``away`` and who covers them (``cover``, an e-mail)."""

    email: str
    role: str
    name: str | None = None
    language: str | None = None
    programs: tuple[str, ...] = ()
    away: bool = False
    cover: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> User:
        return cls(
            email=row["email"],
            role=row["role"],
            name=row.get("name"),
            language=row.get("language"),
            programs=tuple(json.loads(row["programs"])) if row.get("programs") else (),
            away=bool(row.get("away")),
            cover=row.get("cover"),
        )


def _email(email: str) -> str:
    return email.strip().lower()


class AccessMixin:
    """The access-control half of :class:`~casekit.Workspace` (users, assignments, scopes)."""

    if TYPE_CHECKING:  # the workspace's (casekit.workspace._store)

        @property
        def engine(self) -> sa.Engine: ...

        def _rows(self, sql: str) -> list[dict[str, Any]]: ...

    # -- users ----------------------------------------------------------------------------

    def add_user(
        self,
        email: str,
        role: str,
        *,
        name: str | None = None,
        programs: Iterable[str] = (),
        language: str | None = None,
        away: bool = False,
        cover: str | None = None,
        actor: str | None = None,
        user: str | None = None,
        lang: str = "en",
    ) -> User:
        """Add a user, or change an existing one (audited). ``user``: the admin doing it
        (``None``: local mode / the command line)."""
        email = _email(email)
        if role not in ROLES:
            raise CasekitError("access.unknown_role", lang=lang, role=role, roles=", ".join(ROLES))
        if "@" not in email:
            raise CasekitError("access.bad_email", lang=lang, email=email)
        if language is not None and language not in LANGS:
            raise CasekitError("access.bad_language", lang=lang, language=language, langs=", ".join(LANGS))
        if user is not None:
            self._require(user, "users", lang=lang)
        actor = actor or user or default_actor()
        row = {
            "email": email,
            "role": role,
            "name": name.strip() if name and name.strip() else None,
            "language": language,
            "programs": json.dumps(sorted(set(programs)), ensure_ascii=False) if programs else None,
            "away": bool(away),
            "cover": _email(cover) if cover else None,
        }
        key = self._key.load()  # type: ignore[attr-defined]  # a mixin: the Workspace it is mixed into has _key
        with _engine.write_tx(self.engine) as conn:
            stamp = _audit.now()
            old = conn.execute(sa.select(_schema.USERS).where(_schema.USERS.c.email == email)).mappings().first()
            if old is None:
                conn.execute(_schema.USERS.insert().values(**row, _created_at=stamp, _created_by=actor))
                before = None
            else:
                conn.execute(
                    _schema.USERS.update()
                    .where(_schema.USERS.c.email == email)
                    .values(**row, _updated_at=stamp, _updated_by=actor)
                )
                before = {k: old[k] for k in row}
            _audit.append(
                conn,
                key,
                actor=actor,
                action="user_add" if old is None else "user_change",
                sheet="users",
                row_id=email,
                before=before,
                after=row,
                at=stamp,
            )
        return User.from_row(row)

    def remove_user(self, email: str, *, actor: str | None = None, user: str | None = None, lang: str = "en") -> bool:
        """Remove a user (audited); ``False`` when there was none."""
        email = _email(email)
        if user is not None:
            self._require(user, "users", lang=lang)
        actor = actor or user or default_actor()
        key = self._key.load()  # type: ignore[attr-defined]  # a mixin: the Workspace it is mixed into has _key
        with _engine.write_tx(self.engine) as conn:
            old = conn.execute(sa.select(_schema.USERS).where(_schema.USERS.c.email == email)).mappings().first()
            if old is None:
                return False
            conn.execute(_schema.USERS.delete().where(_schema.USERS.c.email == email))
            before = {k: old[k] for k in ("email", "role", "name", "programs")}
            _audit.append(conn, key, actor=actor, action="user_remove", sheet="users", row_id=email, before=before)
        return True

    def users(self) -> pl.DataFrame:
        """Every user: ``email, role, name, language, programs, away, cover``, by e-mail."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_schema.USERS).order_by(_schema.USERS.c.email)).mappings().all()
        schema = pl.Schema(
            {
                "email": pl.String(),
                "role": pl.String(),
                "name": pl.String(),
                "language": pl.String(),
                "programs": pl.List(pl.String()),
                "away": pl.Boolean(),
                "cover": pl.String(),
            }
        )
        users = [User.from_row(r) for r in rows]
        return pl.DataFrame(
            [(u.email, u.role, u.name, u.language, list(u.programs), u.away, u.cover) for u in users],
            schema=schema,
            orient="row",
        )

    def user(self, email: str) -> User | None:
        """The user with this e-mail (case-insensitive), or ``None``."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(_schema.USERS).where(_schema.USERS.c.email == _email(email))).mappings().first()
            )
        return User.from_row(row) if row is not None else None

    def name_matches(self, name: str) -> int:
        """How many cases are (or were) held by this case-manager name (``users add`` warns on 0)."""
        key = name_key(name)
        held = self.assignments()
        return held.filter(name_key_expr(pl.col("case_manager")) == key).select("case_id").n_unique()

    # -- sign-in and the audit of reads -----------------------------------------------------

    def sign_in(self, email: str, *, lang: str = "en") -> User:
        """Check that ``email`` may sign in (audited ``sign_in``, or ``denied``)."""
        found = self._require(email, "sign_in", lang=lang)
        self._log("sign_in", found.email, after={"role": found.role})
        return found

    def sign_out(self, email: str) -> None:
        """Record a sign-out in the audit log."""
        self._log("sign_out", _email(email))

    def _log(self, action: str, actor: str, *, case_id: str | None = None, after: Any = None) -> None:
        key = self._key.load()  # type: ignore[attr-defined]  # a mixin: the Workspace it is mixed into has _key
        with _engine.write_tx(self.engine) as conn:
            _audit.append(conn, key, actor=actor, action=action, case_id=case_id, after=after)

    def _deny(
        self, email: str, what: str, message: str, *, case_id: str | None = None, lang: str = "en", **params: Any
    ) -> AccessDenied:
        """An :class:`AccessDenied` for ``what``, written to the audit log first."""
        self._log("denied", _email(email) or "?", case_id=case_id, after={"what": what, "reason": message})
        return AccessDenied(f"access.{message}", lang=lang, user=_email(email), case_id=case_id, what=what, **params)

    def _require(self, email: str, what: str, *, lang: str = "en") -> User:
        """The user, or :class:`AccessDenied` (audited) when unknown or not allowed ``what``."""
        found = self.user(email)
        if found is None:
            raise self._deny(email, what, "unknown_user", lang=lang)
        if what == "users" and found.role != "admin":
            raise self._deny(email, what, "admin_only", lang=lang, role=found.role)
        return found

    def _reader(self, email: str, *, lang: str = "en") -> User:
        """A user who may read client records (``data``, ``result``, ``case_record``)."""
        found = self._require(email, "data", lang=lang)
        if found.role == "researcher":
            raise self._deny(email, "data", "researcher_extract_only", lang=lang)
        if found.role not in RECORD_ROLES:
            raise self._deny(email, "data", "trainer_sample_only", lang=lang)
        return found

    # -- assignments ----------------------------------------------------------------------

    def assignments(self) -> pl.DataFrame:
        """The assignment history: ``case_id, case_manager, from_on, to_on, by`` (``to_on``
        null: in force). A case without stored rows is held by its ``case_manager`` since
        its ``opened_on`` (``by`` null)."""
        cases = _schema.TABLES["cases"]
        with self.engine.connect() as conn:
            stored = conn.execute(
                sa.select(
                    _schema.ASSIGNMENTS.c.case_id,
                    _schema.ASSIGNMENTS.c.case_manager,
                    _schema.ASSIGNMENTS.c.from_on,
                    _schema.ASSIGNMENTS.c.to_on,
                    _schema.ASSIGNMENTS.c._created_by.label("by"),
                ).order_by(_schema.ASSIGNMENTS.c._pk)
            ).all()
            implicit = conn.execute(
                sa.select(
                    cases.c.case_id,
                    cases.c.case_manager,
                    cases.c.opened_on.label("from_on"),
                    sa.null().label("to_on"),
                    sa.null().label("by"),
                )
                .where(cases.c._deleted_at.is_(None))
                .where(~sa.exists().where(_schema.ASSIGNMENTS.c.case_id == cases.c.case_id))
                .order_by(cases.c._pk)
            ).all()
        frame = pl.DataFrame([tuple(r) for r in [*implicit, *stored]], schema=_ASSIGN_SCHEMA, orient="row")
        return frame.sort("case_id", "from_on", nulls_last=False, maintain_order=True)

    def current_assignees(self) -> pl.DataFrame:
        """``case_id, case_manager`` of the assignment in force for every case."""
        return self.assignments().filter(pl.col("to_on").is_null()).unique("case_id", keep="last", maintain_order=True)

    def assign(
        self,
        case_id: str,
        case_manager: str,
        *,
        on: dt.date | None = None,
        user: str | None = None,
        actor: str | None = None,
        lang: str = "en",
    ) -> None:
        """Reassign a case to ``case_manager`` from ``on`` (default today): the assignment
        in force ends that day. A supervisor's or admin's action (audited ``assign``)."""
        on = on or dt.date.today()
        if user is not None:
            self._check_write(user, "cases", case_id, {}, action="assign", lang=lang)
        actor = actor or (_email(user) if user else default_actor())
        cases = _schema.TABLES["cases"]
        key = self._key.load()  # type: ignore[attr-defined]  # a mixin: the Workspace it is mixed into has _key
        with _engine.write_tx(self.engine) as conn:
            case = conn.execute(
                sa.select(cases.c.case_manager, cases.c.opened_on).where(
                    cases.c.case_id == case_id, cases.c._deleted_at.is_(None)
                )
            ).first()
            if case is None:
                raise CasekitError("workspace.no_such_row", lang=lang, sheet="cases", row_id=case_id)
            stamp = _audit.now()
            current = conn.execute(
                sa.select(_schema.ASSIGNMENTS.c._pk, _schema.ASSIGNMENTS.c.case_manager, _schema.ASSIGNMENTS.c.from_on)
                .where(_schema.ASSIGNMENTS.c.case_id == case_id, _schema.ASSIGNMENTS.c.to_on.is_(None))
                .order_by(_schema.ASSIGNMENTS.c._pk.desc())
            ).first()
            if current is None:  # the import's case manager becomes the first stored assignment
                conn.execute(
                    _schema.ASSIGNMENTS.insert().values(
                        case_id=case_id,
                        case_manager=case.case_manager,
                        from_on=case.opened_on,
                        to_on=on,
                        _created_at=stamp,
                        _created_by=actor,
                    )
                )
                previous = case.case_manager
            else:
                if current.from_on is not None and on < current.from_on:
                    raise CasekitError(
                        "access.assign_before", lang=lang, on=on.isoformat(), since=current.from_on.isoformat()
                    )
                conn.execute(
                    _schema.ASSIGNMENTS.update().where(_schema.ASSIGNMENTS.c._pk == current._pk).values(to_on=on)
                )
                previous = current.case_manager
            conn.execute(
                _schema.ASSIGNMENTS.insert().values(
                    case_id=case_id,
                    case_manager=case_manager.strip(),
                    from_on=on,
                    _created_at=stamp,
                    _created_by=actor,
                )
            )
            _audit.append(
                conn,
                key,
                actor=actor,
                action="assign",
                sheet="assignments",
                row_id=case_id,
                case_id=case_id,
                before={"case_manager": previous},
                after={"case_manager": case_manager.strip(), "from_on": on},
                at=stamp,
            )

    # -- scopes ---------------------------------------------------------------------------

    def case_scope(self, email: str, *, lang: str = "en") -> pl.Series | None:
        """The case ids ``email`` may see (``None``: every case, an administrator)."""
        found = self._reader(email, lang=lang)
        return self._scope_of(found)

    def _scope_of(self, found: User) -> pl.Series | None:
        if found.role == "admin":
            return None
        if found.role == "case_manager":
            key = name_key(found.name)
            held = self.current_assignees()
            return held.filter(name_key_expr(pl.col("case_manager")) == key).get_column("case_id")
        cases = _schema.TABLES["cases"]
        query = sa.select(cases.c.case_id).where(cases.c._deleted_at.is_(None))
        if found.programs:
            query = query.where(cases.c.program.in_(found.programs))
        with self.engine.connect() as conn:
            ids = conn.execute(query).scalars().all()
        return pl.Series("case_id", ids, dtype=pl.String)

    def _check_write(
        self, email: str, sheet: str, case_id: str | None, row: Mapping[str, Any], *, action: str, lang: str
    ) -> User:
        """Refuse (audited) a write ``email``'s role or scope does not allow."""
        found = self._require(email, action, lang=lang)
        if not can_record(found.role, sheet, row, action=action):
            raise self._deny(email, f"{action}:{sheet}", "not_allowed", case_id=case_id, lang=lang, role=found.role)
        scope = self._scope_of(found)
        if scope is None:
            return found
        if sheet == "cases" and action == "record":  # a new case: in the supervisor's programmes
            program = row.get("program")
            if not found.programs or program in found.programs:
                return found
        elif case_id is not None and case_id in set(scope.to_list()):
            return found
        raise self._deny(email, f"{action}:{sheet}", "out_of_scope", case_id=case_id, lang=lang, case=case_id)

    def _overlay(self, data: Any) -> Any:
        """``data`` with each case's ``case_manager`` replaced by the assignment in force."""
        from casekit.data import CaseData

        if self._rows(ASSIGNED)[0]["n"] == 0:  # none reassigned (SQLite: without SQLAlchemy)
            return data
        held = self.current_assignees().select("case_id", pl.col("case_manager").alias("__held"))
        sheets = dict(data.sheets)
        cases = sheets["cases"]
        sheets["cases"] = (
            cases.join(held, on="case_id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("__held", "case_manager").alias("case_manager"))
            .drop("__held")
        )
        return CaseData(sheets, issues=data.issues, source=data.source, headers=data.headers)

    def _scoped(self, data: Any, email: str, *, lang: str = "en") -> Any:
        """``data`` restricted to what ``email`` may see (raises :class:`AccessDenied`)."""
        from casekit.data import CaseData

        scope = self.case_scope(email, lang=lang)
        if scope is None:
            return data
        keep = scope.implode()
        sheets = {s: df.filter(pl.col("case_id").is_in(keep)) for s, df in data.sheets.items() if s in SHEET_ORDER}
        return CaseData(sheets, source=data.source, headers=data.headers)

    def open_case(self, case_id: str, *, user: str | None = None, lang: str = "en") -> None:
        """Record that ``user`` opened a client's record (audited ``view``), or refuse it —
        :class:`AccessDenied`, audited — when the case is outside the user's scope, whether
        it was typed, picked or passed in a link."""
        if user is not None:
            found = self._reader(user, lang=lang)
            scope = self._scope_of(found)
            if scope is not None and case_id not in set(scope.to_list()):
                raise self._deny(user, "case", "out_of_scope", case_id=case_id, lang=lang, case=case_id)
        self._log("view", _email(user) if user else default_actor(), case_id=case_id)

    def case_record(self, case_id: str, *, user: str | None = None, lang: str = "en") -> Any:
        """One case's rows in every sheet (a ``CaseData``); the opening is audited
        (:meth:`open_case`: a case outside ``user``'s scope raises :class:`AccessDenied`)."""
        self.open_case(case_id, user=user, lang=lang)
        return _only_case(self.data(user=user), case_id)  # type: ignore[attr-defined]  # a mixin: the Workspace it is mixed into has data()

    def research_extract(self, *, user: str | None = None, key: str | bytes | None = None, **options: Any) -> Any:
        """The de-identified extract (:func:`casekit.deidentify`, identifier-like text dropped)
        of the whole workspace: a researcher's only read (audited ``research_extract``)."""
        from casekit.deid import deidentify

        if user is not None:
            found = self._require(user, "research_extract")
            if found.role not in ("researcher", "admin"):
                raise self._deny(user, "research_extract", "not_allowed", role=found.role)
        data = self.data()  # type: ignore[attr-defined]  # a mixin: the Workspace it is mixed into has data()
        options.setdefault("on_identifiers", "drop")
        out = deidentify(data, key=key, **options)
        self._log("research_extract", _email(user) if user else default_actor(), after={"rows": out.data.n_rows()})
        return out


def _only_case(data: Any, case_id: str) -> Any:
    from casekit.data import CaseData

    sheets = {s: df.filter(pl.col("case_id") == case_id) for s, df in data.sheets.items()}
    return CaseData(sheets, source=data.source, headers=data.headers)
