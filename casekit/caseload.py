"""Open a caseload in one call: the bundled sample, a team's workbook or folder, or a workspace.

The notebooks in ``notebooks/`` start from one variable, ``SOURCE``; :func:`open_caseload`
turns it into the validated caseload and the as-of date every other function takes.

Examples
--------
>>> import casekit as ck
>>> caseload = ck.open_caseload("sample", lang="en")
>>> caseload.as_of == ck.SAMPLE_AS_OF, caseload.result.data["cases"].height, caseload.result.n_errors
(True, 500, 0)
>>> is_workspace("casekit.db"), is_workspace("postgresql+psycopg://eva@db/team"), is_workspace("team.xlsx")
(True, True, False)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from casekit.data import ValidationResult
from casekit.i18n import normalize_lang

__all__ = ["SAMPLE", "SAMPLE_CASES", "SAMPLE_SEED", "Caseload", "is_workspace", "open_caseload", "sample_path"]

#: The ``source`` that names the bundled sample.
SAMPLE = "sample"
#: How the bundled sample was generated (``sample_data/make_sample_data.py``): used when
#: the ``sample_data`` folder is not next to the package (an installed wheel).
SAMPLE_CASES, SAMPLE_SEED = 500, 2026
_SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
_SAMPLE_FILES = {"es": "casekit_muestra_es.xlsx", "en": "casekit_sample_en"}
_WORKSPACE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


class Caseload(NamedTuple):
    """What :func:`open_caseload` returns: the validated ``result``, the ``as_of`` date
    to state it at, and the ``source`` as shown to people (a path, or a URL without password)."""

    result: ValidationResult
    as_of: dt.date
    source: str


def sample_path(lang: str = "es") -> Path | None:
    """The bundled sample in ``lang``: the Spanish workbook or the English CSV folder (the
    same 500 cases); ``None`` when the project's ``sample_data`` folder is not there.

    >>> sample_path("en").name if sample_path("en") else "casekit_sample_en"
    'casekit_sample_en'
    """
    path = _SAMPLE_DIR / _SAMPLE_FILES[normalize_lang(lang)]
    return path if path.exists() else None


def is_workspace(source: str | Path) -> bool:
    """Whether ``source`` names a workspace (a database URL, or a ``.db``/``.sqlite`` file)
    rather than a workbook or a folder of sheets."""
    text = str(source)
    return "://" in text or Path(text).suffix.lower() in _WORKSPACE_SUFFIXES


def open_caseload(
    source: str | Path = SAMPLE,
    *,
    as_of: dt.date | str | None = None,
    lang: str = "es",
    month_first: bool = False,
) -> Caseload:
    """Read and validate a caseload, with its as-of date.

    ``source``:

    - ``"sample"``: the bundled sample (500 synthetic cases; the Spanish workbook for
      ``lang="es"``, the English CSV folder for ``"en"``), as of ``ck.SAMPLE_AS_OF``;
    - a workbook (``.xlsx``, ``.xlsm``, ``.ods``), one CSV/Parquet sheet or a folder of
      them: read with :func:`casekit.read_workbook` and checked with
      :func:`casekit.validate` (report in ``lang``);
    - a workspace: a ``.db``/``.sqlite`` file or a database URL
      (``postgresql+psycopg://user@host/db``), read with
      :meth:`casekit.Workspace.result` (its valid rows and what is held in quarantine).

    ``as_of``: the date to state the caseload at (a date or ``"2026-10-31"``); default the
    sample's reference date for the sample, today for the team's own data. ``month_first``: read ``03/01/2026`` as
    3 January (see :func:`casekit.read_workbook`).
    """
    from casekit.sample import SAMPLE_AS_OF, make_sample
    from casekit.validation import validate

    lang = normalize_lang(lang)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if str(source) == SAMPLE:
        as_of = as_of or SAMPLE_AS_OF
        path = sample_path(lang)
        if path is None:
            data = make_sample(SAMPLE_CASES, seed=SAMPLE_SEED, lang=lang)
            return Caseload(validate(data, lang=lang, as_of=as_of), as_of, SAMPLE)
        source = path
    as_of = as_of or dt.date.today()
    if is_workspace(source):
        from casekit.workspace import Workspace

        if "://" not in str(source) and not Path(source).exists():  # never create an empty one by a typo
            raise FileNotFoundError(f"no workspace at {source}")

        with Workspace.open(source) as ws:
            return Caseload(ws.result(lang=lang), as_of, ws.url_label)
    from casekit.io import read_workbook

    data = read_workbook(source, lang=lang, month_first=month_first)
    return Caseload(validate(data, lang=lang, as_of=as_of), as_of, str(source))
