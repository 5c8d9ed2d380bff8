"""The data a session works on, loaded once and cached on its content.

A :class:`DerivedTables` holds the validated caseload (not the stored workspace, see
:mod:`casekit.workspace`), the as-of date and the process rules, risk model and measures
catalogue in use. Reading and validation are cached on the uploaded bytes' SHA-256
(not on a DataFrame); every derived table (risk scores, case status, outcome changes…) is
cached on the tables' key, so switching pages or the language never reads or validates
again. Results are kept with ``st.cache_resource`` (shared, not copied): treat them as
read-only.

Examples
--------
>>> ws = DerivedTables.from_result(
...     __import__("casekit").validate(__import__("casekit").make_sample(30, seed=1)),
...     as_of=__import__("casekit").SAMPLE_AS_OF,
... )
>>> ws.get("status").height
30
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from casekit.data import CaseData, ValidationResult
from casekit.measures import DEFAULT_MEASURES_FILE, MeasureCatalogue, load_measures
from casekit.risk.model import RiskModel, default_model_text, load_model
from casekit.stages import ProcessConfig, load_process_config

if TYPE_CHECKING:
    from casekit.learn import StageStep

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
SAMPLE_WORKBOOK = SAMPLE_DIR / "casekit_muestra_es.xlsx"
#: Environment variables that point the sidebar's "sample" source at a workbook or folder
#: on the server (e.g. a large caseload for benchmarks), and set its default as-of date.
DATA_ENV, AS_OF_ENV = "CASEKIT_DATA", "CASEKIT_AS_OF"
#: Read limits for a file on the server (the operator's own): far above the upload limits.
LOCAL_LIMITS = {"max_bytes": 4 * 10**9, "max_unzipped_bytes": 40 * 10**9}


@functools.cache
def sample_key() -> str:
    """The bundled sample's content digest (read once per process, not on every rerun)."""
    return digest("sample", SAMPLE_WORKBOOK.read_bytes())


def data_source() -> tuple[Path, str, dt.date]:
    """The sidebar's "sample" source: ``(path, cache key, default as-of date)``.

    The bundled sample, unless ``CASEKIT_DATA`` names a workbook or folder; its as-of date
    is then ``CASEKIT_AS_OF`` (ISO) if set and valid, else today. The key of such a path is
    its files' names, sizes and modification times (not their bytes: it can be large).

    >>> data_source()[0] == SAMPLE_WORKBOOK or DATA_ENV in os.environ
    True
    """
    from casekit._sample_pools import SAMPLE_AS_OF  # not casekit.sample: no generator, no numpy

    value = os.environ.get(DATA_ENV, "").strip()
    if not value:
        return SAMPLE_WORKBOOK, sample_key(), SAMPLE_AS_OF
    path = Path(value).expanduser()
    try:
        as_of = dt.date.fromisoformat(os.environ.get(AS_OF_ENV, "").strip())
    except ValueError:
        as_of = dt.date.today()
    return path, path_key(path), as_of


def path_key(path: Path) -> str:
    """Cache key of a file or folder on disk: names, sizes and modification times."""
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    parts = [str(path.resolve())]
    for f in files:
        try:
            info = f.stat()
        except OSError:
            continue
        parts += [f.name, str(info.st_size), str(info.st_mtime_ns)]
    return digest("path", *parts)


def digest(*parts: bytes | str) -> str:
    """SHA-256 of the parts (names and bytes), the cache key of an upload."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


@st.cache_resource(max_entries=4, show_spinner=False)
def _read(key: str, _source: object, month_first: bool) -> CaseData:
    from casekit.io import read_isolated, read_workbook

    if isinstance(_source, Path):  # a path on the server: the operator's own file, may be large
        return read_workbook(_source, month_first=month_first, **LOCAL_LIMITS)  # type: ignore[arg-type]  # a cached function's argument is typed object (Streamlit hashes it): a Path here
    # an upload: read in a child process with memory and time limits, so that a hostile
    # file takes down that child only, never the server other sessions share
    return read_isolated(_source, month_first=month_first)  # type: ignore[arg-type]  # a cached function's argument is typed object: the uploads' bytes by name here


@st.cache_resource(max_entries=8, show_spinner=False)
def _validate(key: str, as_of: dt.date, _data: CaseData) -> ValidationResult:
    from casekit.validation import validate

    return validate(_data, lang="en", as_of=as_of)


def load(
    source: Path | Mapping[str, bytes], *, key: str, as_of: dt.date, month_first: bool = False
) -> ValidationResult:
    """Read and validate ``source`` (a path, or uploaded files by name), cached on ``key``.

    Raises :class:`~casekit.errors.UnreadableFileError` for a file that cannot be read.
    """
    data = _read(key, source, month_first)
    return _validate(key, as_of, data)


#: Entries computed for one client (Learn's nine steps): small and many, so they are kept in
#: a cache of their own, and browsing clients never evicts the caseload's tables.
PER_CLIENT = frozenset({"walkthrough"})


def _derived_functions() -> dict[str, Callable[..., Any]]:
    """The registry: table name → its function of the tables (and keyword options)."""
    import casekit as ck
    from casekit import outcomes as oc
    from casekit import stages as sg

    return {
        "scores": lambda ws: ck.score_risk(ws.result, ws.model, as_of=ws.as_of),
        "status": lambda ws: ck.case_status(
            ws.result, as_of=ws.as_of, config=ws.config, risk=ws.get("scores"), model=ws.model, measures=ws.measures
        ),
        "flags": lambda ws: ck.flags_long(ws.get("status")),
        "worklist": lambda ws: ck.worklist(ws.get("status"), data=ws.result),
        "events": lambda ws: ck.events(ws.result.data, as_of=ws.as_of),
        "entries": lambda ws: ck.stage_entries(ws.result.data, as_of=ws.as_of, config=ws.config, measures=ws.measures),
        "funnel": lambda ws: ck.funnel(ws.get("status")),
        "durations": lambda ws: ck.stage_durations(ws.get("entries")),
        "changes": lambda ws: ck.outcome_changes(ws.result, as_of=ws.as_of, measures=ws.measures),
        "attributed_changes": _attributed_changes,
        "utilisation": lambda ws: ck.utilisation_changes(ws.result, as_of=ws.as_of, measures=ws.measures),
        "fairness": lambda ws, for_sharing=False: ck.fairness_summary(
            ws.result, ws.get("scores"), model=ws.model, for_sharing=for_sharing
        ),
        # -- the screens' tables ------------------------------------------------------
        "cohort": lambda ws: _module("casekit.cohort").cohort_frame(
            ws.result,
            as_of=ws.as_of,
            status=ws.get("status"),
            entries=ws.get("entries"),
            changes=ws.get("changes"),
            measures=ws.measures,
        ),
        "utilisation_rates": lambda ws: ck.utilisation_rates(ws.result, as_of=ws.as_of, measures=ws.measures),
        "goal_progress": lambda ws: ck.goal_progress(ws.result, as_of=ws.as_of, measures=ws.measures),
        "latest_screenings": lambda ws: _module("casekit.ui.screening").latest_screenings(ws.data, as_of=ws.as_of),
        "incomplete_plans": lambda ws: _module("casekit.ui.planning").incomplete_plans(
            ws.get("status"), ws.data, ws.config, as_of=ws.as_of
        ),
        "calendar_choices": lambda ws: _module("casekit.ui.planning").calendar_choices(ws.data, ws.get("status")),
        "missed_appointments": lambda ws: _module("casekit.ui.monitoring").missed_appointments(
            ws.get("flags"), ws.data.get("contacts")
        ),
        "attendance": lambda ws: _module("casekit.ui.monitoring").attendance_by_kind(
            ws.data.get("contacts"), as_of=ws.as_of
        ),
        "follow_up_by_tier": lambda ws: _module("casekit.ui.monitoring").follow_up_by_tier(ws.get("status"), ws.config),
        "reviews_pending": lambda ws: _module("casekit.ui.assessment").reviews_pending(
            ws.get("status"), ws.get("scores")
        ),
        "transitions": lambda ws: sg.transitions_until(ws.data, ws.as_of),
        "post_transition_contacts": lambda ws: sg.post_transition_contacts(
            ws.get("transitions"), sg.contacts_of(ws.data), as_of=ws.as_of, config=ws.config
        ),
        "outcome_summary": lambda ws, by=(), for_sharing=False: oc.outcome_summary(
            ws.result,
            list(by),
            as_of=ws.as_of,
            # by case manager, each pair counts for who held the case at its latest measure
            changes=ws.get("attributed_changes" if "case_manager" in by else "changes"),
            scores=ws.get("scores"),
            model=ws.model,
            for_sharing=for_sharing,
            measures=ws.measures,
        ),
        "utilisation_summary": lambda ws, for_sharing=False: oc.utilisation_summary(
            ws.result,
            as_of=ws.as_of,
            changes=ws.get("utilisation"),
            model=ws.model,
            for_sharing=for_sharing,
            measures=ws.measures,
        ),
        "utilisation_rate_summary": lambda ws, for_sharing=False: oc.utilisation_rate_summary(
            ws.result, as_of=ws.as_of, rates=ws.get("utilisation_rates"), for_sharing=for_sharing, measures=ws.measures
        ),
        "goal_attainment": lambda ws, by=(), for_sharing=False: oc.goal_attainment(
            ws.result,
            list(by),
            as_of=ws.as_of,
            scores=ws.get("scores"),
            model=ws.model,
            progress=ws.get("goal_progress"),
            for_sharing=for_sharing,
            measures=ws.measures,
        ),
        "curated_clients": lambda ws: _module("casekit.learn").curated_clients(
            ws.result, status=ws.get("status"), scores=ws.get("scores"), as_of=ws.as_of, config=ws.config
        ),
        "post_only_summary": lambda ws, for_sharing=False: oc.post_only_summary(
            ws.result, as_of=ws.as_of, for_sharing=for_sharing, measures=ws.measures
        ),
        # -- per client (cached apart: see PER_CLIENT) ---------------------------------
        "walkthrough": lambda ws, case_id: _module("casekit.learn").walkthrough(
            ws.result, case_id, as_of=ws.as_of, config=ws.config, model=ws.model
        ),
    }


def _module(name: str) -> Any:
    """The module ``name``, imported when a table of a page that needs it is first made
    (Learn, cohorts, planning, screening, monitoring, assessment), not on the first load (issue 18)."""
    import importlib

    return importlib.import_module(name)


def _attributed_changes(ws: DerivedTables) -> pl.DataFrame:
    """The outcome changes, each credited to the case manager who held the case at its
    latest measure (a workspace's assignment history); other sources: as the cases say."""
    changes = ws.get("changes")
    if ws.assignments is None:
        return changes
    from casekit.outcomes import attribute_changes

    return attribute_changes(changes, ws.assignments())


@st.cache_resource(max_entries=128, show_spinner=False)
def _derived(name: str, key: str, options: tuple[tuple[str, object], ...], _ws: DerivedTables) -> pl.DataFrame:
    return _derived_functions()[name](_ws, **dict(options))


@st.cache_resource(max_entries=32, show_spinner=False)
def _per_client(name: str, key: str, options: tuple[tuple[str, object], ...], _ws: DerivedTables) -> Any:
    return _derived_functions()[name](_ws, **dict(options))


@dataclass(frozen=True)
class DerivedTables:
    """The validated caseload of this session and the settings it is read with."""

    result: ValidationResult
    as_of: dt.date
    key: str
    source: str = ""
    is_sample: bool = False
    config: ProcessConfig = field(default_factory=load_process_config)
    model: RiskModel = field(default_factory=load_model)
    config_text: str = ""
    model_text: str = ""
    #: Reads the workspace's assignment history (who held each case when; ``None``: the
    #: source has none). Called only by the tables that need it, once per data key.
    assignments: Callable[[], pl.DataFrame] | None = None
    #: The measures catalogue (the shipped one, or a team's file added to it: which measures
    #: complete stage 9 alone, MCIDs, domains); ``measures_text`` is the uploaded TOML ("" if none).
    measures: MeasureCatalogue = field(default_factory=load_measures)
    measures_text: str = ""

    @classmethod
    def from_result(
        cls,
        result: ValidationResult,
        *,
        as_of: dt.date,
        key: str | None = None,
        config: ProcessConfig | None = None,
        model: RiskModel | None = None,
        config_text: str = "",
        model_text: str = "",
        measures: MeasureCatalogue | None = None,
        measures_text: str = "",
        source: str = "",
        is_sample: bool = False,
        assignments: Callable[[], pl.DataFrame] | None = None,
    ) -> DerivedTables:
        """Derived tables over a validated result; ``key`` identifies the data (e.g. the
        uploaded bytes' digest). The settings are loaded from their TOML text unless
        given already loaded; the tables' key covers data, date and settings."""
        config = config or load_process_config(config_text or None)
        model = model or load_model(model_text or None)
        measures = measures or load_measures(measures_text or None)
        base = key or digest(str(id(result)))
        own_measures = measures_text or DEFAULT_MEASURES_FILE.name
        full_key = digest(base, as_of.isoformat(), config.to_toml(), model_text or default_model_text(), own_measures)
        return cls(
            result,
            as_of,
            full_key,
            source=source,
            is_sample=is_sample,
            config=config,
            model=model,
            config_text=config_text,
            model_text=model_text,
            assignments=assignments,
            measures=measures,
            measures_text=measures_text,
        )

    @property
    def data(self) -> CaseData:
        """The clean rows (errors quarantined)."""
        return self.result.data

    def get(self, name: str, **options: object) -> pl.DataFrame:
        """A derived table, computed once per data key and ``options`` (hashable values,
        e.g. ``by=("program",), for_sharing=True``): ``scores``, ``status``, ``flags``,
        ``worklist``, ``events``, ``entries``, ``funnel``, ``durations``, ``changes``,
        ``attributed_changes`` (with the case manager in force at each measure),
        ``utilisation``, ``fairness``; the screens' ``cohort``, ``utilisation_rates``,
        ``goal_progress``, ``latest_screenings``, ``incomplete_plans``,
        ``calendar_choices``, ``curated_clients``, ``transitions``, ``post_transition_contacts``,
        ``missed_appointments``, ``attendance`` (by kind of contact), ``follow_up_by_tier``,
        ``reviews_pending`` (risk reviews waiting), and the
        outcome summaries ``outcome_summary`` and ``goal_attainment`` (``by``,
        ``for_sharing``), ``utilisation_summary``, ``utilisation_rate_summary`` and
        ``post_only_summary`` (``for_sharing``). The registry is the one place a page's
        tables are cached: pages keep no caches of their own."""
        return _derived(name, self.key, tuple(sorted(options.items())), self)

    def steps(self, case_id: str) -> list[StageStep]:
        """Learn's nine steps of one client (the registry's ``walkthrough``, cached per
        data key and client)."""
        steps: list[StageStep] = _per_client("walkthrough", self.key, (("case_id", case_id),), self)
        return steps
