"""Small widgets every page uses: the data guard, downloads, tables, empty states."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
import streamlit as st

from casekit.i18n import t
from casekit.present import (
    format_date,
    format_number,
    formats,
    headers_for,
    number_style,
    readable,
    screen_headers,
    suppressed_flags,
)
from casekit.ui.derived import DerivedTables

if TYPE_CHECKING:
    import pyarrow as pa


def lang() -> str:
    """The language chosen in the sidebar."""
    return st.session_state.get("lang", "es")


def tr(key: str, **params: object) -> str:
    """``t(key)`` in the current language."""
    return t(key, lang(), **params)


#: Characters Streamlit's Markdown gives a meaning to: CommonMark's, GitHub's (tables,
#: strikethrough, autolinks), LaTeX ``$``, and Streamlit's ``:color[…]``/``:icon:`` directives.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=&^\"'/])")


_AUTOLINK = re.compile(r"(?i)(https?|www|@)")


def md(text: object) -> str:
    r"""``text`` shown literally where Streamlit reads Markdown (``st.markdown``, captions,
    alerts, metric and widget labels, radio options): every Markdown, HTML and Streamlit
    directive character backslash-escaped and line breaks turned into spaces, so a value
    from the data (a case id, a name, a sheet or file name) can make no link, image,
    heading, colour or icon.

    >>> md("a_b *c* $5")
    'a\\_b \\*c\\* \\$5'
    >>> print(md("![x](http://e.vil/p.png)\n# <b>:red[hi]</b>").replace("\u2060", "+"))
    \!\[x\]\(+http\:\/\/e\.vil\/p\.png\) \# \<b\>\:red\[hi\]\<\/b\>
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", re.sub(r"[\r\n]+", " ", str(text)))
    # GitHub's autolinks are found in the text after escapes are undone: an invisible word
    # joiner before "http", "www" and "@" keeps a URL or an e-mail address from becoming a link
    return _AUTOLINK.sub("\u2060\\1", escaped)


def tr_md(key: str, **params: object) -> str:
    """:func:`tr` for a Markdown place, with every text parameter (data) passed through :func:`md`."""
    return tr(key, **{k: md(v) if isinstance(v, str) else v for k, v in params.items()})


def num(value: float | None, spec: str = ",") -> str:
    """A number in the user's convention: ``1.373,91`` in Spanish, ``1,373.91`` in English."""
    return format_number(value, lang(), spec)


def show_date(day: dt.date | None) -> str:
    """A date as the user writes it: 30/09/2026 in Spanish, 2026-09-30 in English; ``—`` when none."""
    return format_date(day, lang()) or "—"


def _ensure_router_ran() -> None:
    """Rerun through ``app.py`` when a page was opened without it.

    A server whose first request is a page URL (``/screening``, a bookmark) runs that
    page file alone in Streamlit's old ``pages/``-folder mode: no sidebar, no data.
    ``st.navigation`` switches that mode off for good once the router has run, so we
    switch it off here and rerun; the router then serves the same URL.
    """
    if "tables" in st.session_state:
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def require_tables() -> DerivedTables:
    """The loaded tables; otherwise explain why there is none and stop the page."""
    _ensure_router_ran()
    ws = st.session_state.get("tables")
    if ws is None:
        error = st.session_state.get("load_error")
        if error:
            st.error(md(error))  # it names the file, its sheets and columns: data
        else:
            st.info(tr("ui.no_data"))
        # nothing loaded yet (an upload to come): the template is one click away on every page
        template_downloads()
        st.stop()
    return ws


def template_downloads() -> None:
    """The empty template's download buttons, one per language (written when clicked)."""
    from casekit.i18n import LANGS

    st.markdown(f"**{tr('ui.data_templates')}**")
    st.caption(tr("ui.data_templates_help"))
    for col, code in zip(st.columns(len(LANGS)), LANGS, strict=True):
        download(
            tr("ui.data_template_button", lang=code.upper()),
            functools.partial(_template, code),
            file_name=f"casekit_{'plantilla' if code == 'es' else 'template'}_{code}.xlsx",
            mime=XLSX_MIME,
            key=f"template_{code}",
            where=col,
        )


def _template(lang: str) -> bytes:
    """The empty template in ``lang``, as bytes (written when its button is clicked)."""
    from casekit.template import write_template

    return write_template(None, lang=lang) or b""  # no destination: the bytes


def welcome(ws: DerivedTables) -> None:
    """The first screen's word to a newcomer, on the bundled sample: what the app is, that
    the data is the sample (fictitious cases), and what to do first (the template, an
    upload, or the team workspace), with the template's buttons."""
    if not ws.is_sample:
        return
    with st.container(border=True):
        st.markdown(f"**{tr('ui.welcome_title')}**")
        st.markdown(tr("ui.welcome_what"))
        st.markdown(tr("ui.welcome_sample", cases=num(ws.data["cases"].height)))
        steps = {"source": "ui.data_source", "upload": "ui.source_upload", "create": "ui_records.create_workspace"}
        st.markdown(
            tr("ui.welcome_first", import_=tr("ui_records.import_button"), **{k: tr(v) for k, v in steps.items()})
        )
        template_downloads()


def quarantine_banner(ws: DerivedTables) -> None:
    """A warning when rows were quarantined, pointing to the Data screen."""
    rows = sum(ws.result.n_quarantined().values())
    if rows:
        st.warning(tr("ui.quarantine_banner", rows=rows, cases=ws.result.affected_cases()))
        st.page_link("pages/data.py", label=tr("ui.go_to_data"))


def page_title(page: str, caption: str | None = None, **params: object) -> None:
    """A page's title (``ui.page_<page>``) and its own ``caption`` key (with ``params``)."""
    st.title(tr(f"ui.page_{page}"))
    if caption:
        st.caption(tr(caption, **params))


def page_header(page: str, caption: str | None = None, *, banner: bool = True, **params: object) -> DerivedTables:
    """The lines every data page starts with; returns the loaded tables.

    The data guard (:func:`require_tables`), the page's title (``ui.page_<page>``), the
    data source and as-of date, the page's own ``caption`` key (with ``params``; a
    callable parameter is given the tables) when given, and the quarantine banner
    (``banner=False`` on the Data screen, which is where the banner points). A page
    starts with::

        ws = page_header("overview")
        ws = page_header("transitions", "ui_transitions.caption", days=lambda ws: window(ws.config))
    """
    ws = require_tables()
    page_title(page)
    st.caption(tr("ui.source_caption", source=md(ws.source), as_of=show_date(ws.as_of)))
    if caption:
        st.caption(tr(caption, **{k: v(ws) if callable(v) else v for k, v in params.items()}))
    if banner:
        quarantine_banner(ws)
    return ws


def empty_state(key: str, **params: object) -> None:
    """Explain an empty view ("no transitions recorded yet in this data"), never an error
    (text parameters, such as a case id, shown literally)."""
    st.info(tr_md(key, **params))


#: Long labels (stage names, levels of care) are shown whole, not cut with "…".
LABEL_LIMIT = 360


def show_chart(chart: Any, *, key: str) -> None:
    """Draw a casekit chart at a readable size.

    Single and layered charts fill the column's width and keep their own height
    (``fit-x``); faceted charts keep their natural size. Title, axes and legend are laid
    out around the plot, never squeezed into it, and labels are not truncated.
    """
    import altair as alt

    width: Literal["content", "stretch"] = "content" if isinstance(chart, alt.FacetChart) else "stretch"
    fit = "pad" if width == "content" else "fit-x"
    sized = chart.properties(autosize={"type": fit, "contains": "padding"})
    from casekit.charts import chart_locale

    sized = (
        sized.configure(locale=chart_locale(lang()))
        .configure_axis(labelLimit=LABEL_LIMIT)
        .configure_axisBand(labelOverlap=False)  # every category labelled (the theme hides some)
        .configure_legend(labelLimit=LABEL_LIMIT, titleLimit=LABEL_LIMIT)
        .configure_header(labelLimit=LABEL_LIMIT)
    )
    st.altair_chart(sized, key=key, width=width)


def rtm_note(figures: pl.DataFrame, *, measure: str | None = None) -> None:
    """The regression-to-the-mean caveat, as a warning, when the table ``figures`` (before
    it is made readable) shows a before/after figure of utilisation or cost
    (:func:`casekit.outcomes.needs_rtm_caveat`, the one rule); nothing otherwise.
    ``measure``: the outcome measure a table is about when it has no ``measure`` column."""
    from casekit.outcomes import needs_rtm_caveat, rtm_caveat

    if needs_rtm_caveat(figures, measure=measure):
        st.warning(rtm_caveat(lang()))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(
    label: str,
    data: str | bytes | Callable[[], str | bytes],
    *,
    file_name: str,
    key: str,
    mime: str | None = None,
    where: Any = None,
    **options: Any,
) -> None:
    """A download button (in ``where``, a column or container; the page by default) that
    never reruns the app when clicked (``on_click="ignore"``).

    ``data`` may be a callable: the file is then written when the button is clicked
    (deferred), not on every rerun. A click that also reran the app raced the file's
    request: each run gives a deferred button a new file id and, when it ends, forgets
    the ids no longer drawn, so a request still holding the old id failed ("Deferred
    file … not found", a click that did nothing). Without the rerun, the id a button
    shows stays valid until another widget reruns the app. ``options``: more
    ``st.download_button`` options (``help``, ``type``, ``icon``).
    """
    (where or st).download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore", **options)


def download_table(
    df: pl.DataFrame | Callable[[], pl.DataFrame], stem: str, *, key: str, what: str | None = None
) -> None:
    """CSV and XLSX download buttons for ``df`` (formula-safe; list columns joined with ``;``).

    The files are written when a button is clicked, not on every rerun: an XLSX of a
    100,000-row worklist takes seconds to write; ``df`` may be a function that makes the
    table, called then too (the readable download of :func:`table`). ``what``: the table's name in the
    buttons' labels ("Descargar CSV · Tiempo hasta el plan"), where a screen shows
    several tables' buttons together and plain "Descargar CSV" would not say which.
    """
    from casekit.export import flatten_lists, write_csv, write_xlsx

    def frame() -> pl.DataFrame:
        return flatten_lists(df() if callable(df) else df)

    def csv() -> bytes:
        return write_csv(frame(), lang=language) or b""  # no destination: the bytes

    def xlsx() -> bytes:
        return write_xlsx({stem[:31]: frame()}, lang=language) or b""

    language = lang()
    labels = {kind: tr(f"ui.download_{kind}") + (f" · {what}" if what else "") for kind in ("csv", "xlsx")}
    left, right = st.columns(2)
    download(labels["csv"], csv, file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv", where=left)
    download(labels["xlsx"], xlsx, file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}_xlsx", where=right)


#: The part of a case link a table shows: the case id (see :func:`case_links`).
CASE_LINK_TEXT = r"[?&]case=([^&]*)$"


def case_links(ids: pl.Expr, prefix: str | None = None) -> pl.Expr:
    """Links to the case record of each id, keeping the session's language, source and
    as-of date (a link opens in a new tab, which restores them from its URL);
    ``prefix``: :func:`case_link_prefix`, when already known.

    >>> pl.select(case_links(pl.lit("C 1&2"))).item().split("&case=")[1]
    'C%201%262'
    """
    prefix = prefix or case_link_prefix()
    encoded = ids.cast(pl.String)
    for char, code in (("%", "%25"), (" ", "%20"), ("&", "%26"), ("#", "%23"), ("?", "%3F"), ("+", "%2B")):
        encoded = encoded.str.replace_all(char, code, literal=True)
    link = pl.when(ids.is_not_null() & (ids.cast(pl.String) != "")).then(pl.lit(prefix) + encoded)
    return link.alias(ids.meta.output_name(raise_if_undetermined=False) or "case_id")


def case_link_prefix() -> str:
    """A case link up to the case id: the record page with the session's language, source
    and as-of date (:func:`case_links`).

    >>> case_link_prefix()
    'case?source=workspace&lang=es&case='
    """
    params = {"source": st.session_state.get("source") or "workspace", "lang": lang()}
    as_of = st.session_state.get("as_of")
    if isinstance(as_of, dt.date):
        params["as_of"] = as_of.isoformat()
    return "case?" + "&".join(f"{k}={v}" for k, v in params.items()) + "&case="


def table(
    df: pl.DataFrame,
    *,
    key: str,
    stem: str | None = None,
    height: int | None = None,
    hide: tuple[str, ...] = (),
    headers: Mapping[str, str] | None = None,
    screen: str | None = None,
    shared: pl.DataFrame | None = None,
    wide: tuple[str, ...] = (),
    model: Any = None,
    version: Hashable = None,
) -> None:
    """A table as the user reads it (:func:`show_table`) with its download buttons (or an
    empty state).

    ``shared``: what the downloads carry instead of ``df`` — the same aggregate with small
    cells suppressed (``for_sharing=True``, :mod:`casekit.privacy`), while the screen shows
    the team's own exact counts; the page offers the visible switch (:func:`sharing_switch`).
    Columns in ``hide`` are left off the screen but kept in the downloads (e.g. the
    machine-readable check id of the validation report), where numbers and dates keep
    their types. ``version``: see :func:`show_table`.
    """
    if df.height == 0:
        empty_state("ui.empty_table")
        return
    language = lang()
    headers = {**screen_headers(screen, df.columns, language), **(headers or {})} if screen else headers
    show_table(
        df, key=f"{key}_table", height=height, hide=hide, headers=headers, wide=wide, model=model, version=version
    )
    download = df if shared is None else shared
    # made readable when a button is clicked, not on every rerun (the worklist: 100k rows)
    readable_download = functools.partial(readable, download, language, headers=headers, keep_types=True, model=model)
    download_table(readable_download, stem or key, key=key)


def show_table(
    df: pl.DataFrame,
    *,
    key: str,
    height: int | None = None,
    hide: tuple[str, ...] | list[str] = (),
    headers: Mapping[str, str] | None = None,
    screen: str | None = None,
    wide: tuple[str, ...] = (),
    narrow: bool = True,
    model: Any = None,
    version: Hashable = None,
) -> None:
    """``df`` (ids, dates, numbers as computed) drawn as the user reads it, read once by
    :func:`casekit.present.readable`: labels instead of ids, dates and numbers in the
    user's format, right-aligned, blanks instead of ``None``. Whole numbers stay numbers
    (sorted as numbers, written with ``FORMATS[lang].column_integer``); decimals and
    percentages are ``readable``'s text (Streamlit writes no decimal comma). Headers from
    ``columns.toml``, except where the ``screen``'s catalogue words them its own way
    (``<screen>.col_<column>``) or ``headers`` gives one. ``wide``: the key columns (a
    validation message with its hint), drawn wide and wrapped, and the others narrow
    (``narrow=False``: as wide as their text), so that they read without scrolling sideways
    at 1280 px. ``model``: the risk model in use (its factors
    and red flags named by their labels). ``version``: what ``df`` is made from (the
    tables' key and the page's filters, e.g. ``(ws.key, managers)``), given for a large
    table drawn on every rerun: its readable text is then made once per version and
    language (:func:`_readable_kept`), not on every rerun.
    """
    language = lang()
    headers = {**screen_headers(screen, df.columns, language), **(headers or {})} if screen else headers
    names = headers_for([c for c in df.columns if c not in hide], language, headers)
    whole = whole_numbers(df, names)
    # on a workspace, each case id opens its record
    links = case_link_prefix() if "case_id" in names and st.session_state.get("source") == "workspace" else None
    options = (tuple((headers or {}).items()), tuple(hide), tuple(whole), links)
    sent_whole = sent_whole_rows(df.height)
    if version is None:
        shown = _readable_shown(df, language, options, model)
        arrow = shown.to_arrow()
    else:
        shown, arrow = _readable_kept(key, version, language, options, df, model, sent_whole)
    config: dict[str, Any] = {names[c]: _number_column(c, language) for c in whole}
    right = st.column_config.TextColumn(alignment="right")
    config |= {names[c]: right for c in names if df.schema[c].is_numeric() and c not in whole}
    if wide and narrow:
        small = st.column_config.TextColumn(width="small")
        config |= {names[c]: small for c in names if c not in wide and not df.schema[c].is_numeric()}
    if wide:
        config |= {names[c]: st.column_config.TextColumn(width="large") for c in wide if c in names}
    if links:
        config[names["case_id"]] = st.column_config.LinkColumn(display_text=CASE_LINK_TEXT)
    # a dictionary-encoded text (light_arrow) is drawn as the text it is, not as a category
    text = st.column_config.TextColumn()
    config |= {f.name: text for f in arrow.schema if _is_dictionary(f) and f.name not in config}
    st.dataframe(
        # as Arrow: Streamlit sends an Arrow table as it is; a polars frame it converts to
        # pandas first (importing pandas on the first table drawn; 0.1 s per rerun for the worklist)
        arrow,
        hide_index=True,
        height=height or "auto",
        key=key,
        column_config=config,
        placeholder="",
        row_height=wrapped_row_height(shown, [names[c] for c in wide if c in names]),
        # sent whole, said so: Streamlit's own choice (lazy=None) imports pandas to make it
        lazy=False if sent_whole else None,
    )


#: Streamlit (1.67) pages a table of more rows than this from the server (``st.dataframe``'s
#: ``lazy`` default: 1,000 rows at a time, sorted on the server); a smaller one is sent whole.
PAGED_ROWS = 150_000


def sent_whole_rows(rows: int) -> bool:
    """Whether a table of ``rows`` rows is sent whole to the browser (and may be
    :func:`light_arrow`): up to :data:`PAGED_ROWS`, or always under AppTest, which has no
    browser to page to (Streamlit's own rule, ``global.appTest``). A paged table stays
    plain: the server sorts it with pyarrow, which cannot sort a table on a dictionary column.

    >>> sent_whole_rows(1_000), sent_whole_rows(PAGED_ROWS + 1)
    (True, False)
    """
    from streamlit import config  # read at call time: AppTest patches config.get_option, not st.get_option

    return rows <= PAGED_ROWS or bool(config.get_option("global.appTest"))


def _is_dictionary(field: pa.Field) -> bool:
    """Whether an Arrow column is dictionary-encoded (:func:`light_arrow`)."""
    import pyarrow as pa

    return pa.types.is_dictionary(field.type)


def light_arrow(table: pa.Table) -> pa.Table:
    """``table`` with each text column that repeats its values (at most half as many
    distinct values as rows) dictionary-encoded, its indices as narrow as they fit: the same
    values, rows and order, in fewer bytes for Streamlit to serialise, hash and send on each
    rerun (issue 18: a workspace's worklist at 100k, 203k rows, 55 → 12 MB).

    >>> import pyarrow as pa
    >>> light = light_arrow(pa.table({"tier": ["high", "low", "high", None], "id": ["a", "b", "c", "d"]}))
    >>> str(light.schema.field("tier").type), str(light.schema.field("id").type)
    ('dictionary<values=string, indices=int8, ordered=0>', 'string')
    >>> light["tier"].to_pylist()
    ['high', 'low', 'high', None]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns: list[pa.Array | pa.ChunkedArray] = []
    for column in table.columns:
        light: pa.Array | pa.ChunkedArray = column
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and column.num_chunks:
            encoded = pc.dictionary_encode(column.combine_chunks())
            distinct = len(encoded.dictionary)
            if 2 * distinct <= len(column):
                index = pa.int8() if distinct <= 2**7 else pa.int16() if distinct <= 2**15 else pa.int32()
                texts = encoded.dictionary.cast(pa.string())
                light = pa.DictionaryArray.from_arrays(encoded.indices.cast(index), texts)
        columns.append(light)
    return pa.Table.from_arrays(columns, names=table.column_names, metadata=table.schema.metadata)


@st.cache_resource(max_entries=16, show_spinner=False)
def _readable_kept(
    key: str,
    version: Hashable,
    language: str,
    options: tuple[Any, ...],
    _df: pl.DataFrame,
    _model: Any,
    light: bool = False,
) -> tuple[pl.DataFrame, pa.Table]:
    """:func:`casekit.present.readable` of the table ``key`` made from ``version`` (the
    caller's promise: the same version, the same ``_df``), with its case links when
    ``options`` has their prefix, and as the Arrow table Streamlit is given (``light``: its
    repeated texts dictionary-encoded, :func:`light_arrow`); kept like the derived tables
    (shared, read-only; issue 18: the worklist's 100k rows are neither read nor converted to
    Arrow again on each rerun, ~0.1 s with a workspace's case links)."""
    shown = _readable_shown(_df, language, options, _model)
    arrow = shown.to_arrow()
    return shown, light_arrow(arrow) if light else arrow


def _readable_shown(df: pl.DataFrame, language: str, options: tuple[Any, ...], model: Any) -> pl.DataFrame:
    """:func:`casekit.present.readable` of ``df`` as :func:`show_table` draws it; ``options``:
    its headers (pairs), hidden and whole-number columns, and the case links' prefix (or ``None``)."""
    headers, hide, whole, links = options
    shown = readable(df, language, headers=dict(headers), hide=hide, keep=whole, model=model)
    if links:
        case_id = headers_for(["case_id"], language, dict(headers))["case_id"]
        shown = shown.with_columns(case_links(pl.col(case_id), links))
    return shown


def whole_numbers(df: pl.DataFrame, columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` a table shows as numbers: integers that are not
    percentages, and whose blanks are not figures suppressed by the small-cell rule
    (those read *oculto*, a text).

    >>> whole_numbers(pl.DataFrame({"days_overdue": [3], "score": [1.5]}), ["days_overdue", "score"])
    ['days_overdue']
    >>> whole_numbers(pl.DataFrame({"n_cases": [None], "suppressed": [True]}), ["n_cases", "suppressed"])
    []
    """
    flagged = suppressed_flags(df)
    return [c for c in columns if df.schema[c].is_integer() and not number_style(c).percent and c not in flagged]


def _number_column(column: str, language: str) -> Any:
    """The Streamlit column of a whole-number column: right-aligned, in ``language``'s
    format (``1.204`` / ``1,204``; no grouping for years and row numbers)."""
    fmt = formats(language).column_integer if number_style(column).grouping else "%d"
    return st.column_config.NumberColumn(format=fmt)


#: Characters of a wide column (400 px) on one line, and the pixels of a line and of a row's
#: padding in the data frame's grid: a taller row wraps its text.
WIDE_LINE_CHARS, LINE_PX, ROW_PADDING_PX, MAX_LINES = 60, 19, 14, 5
#: Streamlit's grid wraps a cell's text only in rows taller than 4rem (64 px; its DataFrame
#: component, 1.67): a row of two lines is given this height.
MIN_WRAPPING_ROW_PX = 65


def wrapped_row_height(shown: pl.DataFrame, wide: list[str]) -> int | None:
    """The row height at which the longest text of the ``wide`` columns wraps onto the
    lines it needs (at most :data:`MAX_LINES`); ``None`` (one line) when it fits.

    >>> wrapped_row_height(pl.DataFrame({"m": ["x" * 150]}), ["m"])
    71
    >>> wrapped_row_height(pl.DataFrame({"m": ["x" * 100]}), ["m"])
    65
    >>> wrapped_row_height(pl.DataFrame({"m": ["short"]}), ["m"]) is None
    True
    """
    if not wide:
        return None
    longest: int = shown.select(pl.max_horizontal(pl.col(wide).cast(pl.String).str.len_chars().max())).item() or 0
    lines = min(MAX_LINES, -(-longest // WIDE_LINE_CHARS))
    return max(MIN_WRAPPING_ROW_PX, ROW_PADDING_PX + LINE_PX * lines) if lines > 1 else None


def sharing_switch(*, key: str, allowed: bool = True) -> bool:
    """The visible small-cell switch of a download meant for others: off (the default)
    suppresses counts of 1–10 people and what is computed from them; on gives the exact
    counts, where the team is allowed to share them. Returns whether it is on. Not
    ``allowed`` (a researcher: :func:`casekit.ui.signin.shows_exact_counts`): no switch,
    always off."""
    if not allowed:
        st.caption(tr("printing.note_for_sharing"))
        return False
    exact = st.toggle(tr("ui.summary_exact_counts"), value=False, key=f"{key}_exact", help=tr("ui.summary_exact_help"))
    st.caption(tr("printing.note_exact" if exact else "printing.note_for_sharing"))
    return exact


def summary_pdf_bytes(ws: DerivedTables, language: str, *, for_sharing: bool) -> bytes:
    """The one-page PDF summary of the workspace (the same figures as the workbook report)."""
    from casekit.report import build_report
    from casekit.summary_pdf import summary_pdf

    report = build_report(
        ws.result, as_of=ws.as_of, lang=language, model=ws.model, config=ws.config, measures=ws.measures
    )
    return summary_pdf(report, lang=language, for_sharing=for_sharing) or b""


def summary_pdf_download(ws: DerivedTables, *, key: str, exact_allowed: bool = True) -> None:
    """The funder summary's download button, with the visible small-cell switch.

    Small cells (1–10 people) are suppressed unless the user switches to exact counts;
    the PDF is written when the button is clicked, not on every rerun.
    """
    language = lang()
    exact = sharing_switch(key=key, allowed=exact_allowed)

    def pdf() -> bytes:
        return summary_pdf_bytes(ws, language, for_sharing=not exact)

    stem = tr("ui.summary_file")
    download(
        tr("ui.summary_download"),
        pdf,
        file_name=f"{stem}_{ws.as_of.isoformat()}{'_exact' if exact else ''}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        icon=":material/picture_as_pdf:",
    )
