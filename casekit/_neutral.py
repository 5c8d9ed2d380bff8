"""The formula neutraliser shared by the writers and the readers (no heavy imports, so
readers can use it without importing the writers).

Every text a spreadsheet could evaluate gets a leading ``'``: one starting with ``=``,
``+``, ``-``, ``@``, tab, CR or LF (the OWASP CSV-injection list), and the same after a
list separator of either locale inside the text. :func:`unneutralise` undoes it exactly.
"""

from __future__ import annotations

import re

import polars as pl

__all__ = ["DANGEROUS_START", "marked", "neutralise", "safe_text", "unneutralise"]

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "\n")

# Optional apostrophes then a dangerous character: such text gets one more apostrophe.
_NEUTRALISE = r"^('*[=+@\t\r\n-])"
_RESTORE = r"^'('*[=+@\t\r\n-])"
_NEUTRALISE_RE = re.compile(_NEUTRALISE)
# The same after a list separator of either locale (and any quotes) inside the text.
_INNER = r"([,;\t]\"*)('*[=+@\t\r\n-])"
_INNER_RESTORE = r"([,;\t]\"*)'('*[=+@\t\r\n-])"
_INNER_RE = re.compile(_INNER)


def neutralise(expr: pl.Expr | str) -> pl.Expr:
    """Prefix ``'`` to text a spreadsheet could evaluate (a String expression).

    >>> pl.select(neutralise(pl.lit("@SUM(A1)"))).item()
    "'@SUM(A1)"
    >>> pl.select(neutralise(pl.lit("'=x"))).item()  # kept reversible
    "''=x"
    >>> pl.select(neutralise(pl.lit("Team;=1+1, ok"))).item()  # a formula after the other locale's separator
    "Team;'=1+1, ok"
    """
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.str.replace_all(_INNER, "$1'$2").str.replace(_NEUTRALISE, "'$1")


def unneutralise(expr: pl.Expr | str) -> pl.Expr:
    """Undo :func:`neutralise` (for readers of an export).

    >>> pl.select(unneutralise(pl.lit("''=x"))).item()
    "'=x"
    >>> pl.select(unneutralise(pl.lit("'quoted'"))).item()
    "'quoted'"
    >>> pl.select(unneutralise(neutralise(pl.lit("'-a,'=b;''+c")))).item()
    "'-a,'=b;''+c"
    """
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.str.replace(_RESTORE, "$1").str.replace_all(_INNER_RESTORE, "$1$2")


def marked(expr: pl.Expr | str) -> pl.Expr:
    """True on each text :func:`unneutralise` would change (a Boolean expression).

    >>> pl.select(marked(pl.lit(pl.Series(["''=x", "a;'=b", "'quoted'", "it's", "=x", None])))).to_series().to_list()
    [True, True, False, False, False, None]
    """
    e = pl.col(expr) if isinstance(expr, str) else expr
    return e.str.contains(f"{_RESTORE}|{_INNER_RESTORE}")


def safe_text(value: str) -> str:
    """:func:`neutralise` for one Python string (headers, sheet names).

    >>> safe_text("=HYPERLINK()"), safe_text("case_id"), safe_text("a,@b")
    ("'=HYPERLINK()", 'case_id', "a,'@b")
    """
    return _NEUTRALISE_RE.sub(r"'\1", _INNER_RE.sub(r"\1'\2", value))
