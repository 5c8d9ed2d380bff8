"""``casekit risk``: score a workbook and write the tiers (and a fairness view).

``casekit risk PATH --out scores.csv [--model my_model.toml] [--fairness fair.csv]``
exits 0 when the scores were written, 2 when the workbook cannot be read or the model
file is broken (one message on stderr). ``casekit risk --print-default-model`` prints
the shipped model to copy and edit.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="casekit")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["risk", "book.xlsx", "--out", "s.csv", "--model", "m.toml"])
>>> args.model.name, args.handler is run_risk
('m.toml', True)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casekit.cli._common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    CliExit,
    add_input_arguments,
    add_rules_arguments,
    load_validated,
    write_for_people,
)
from casekit.i18n import t

__all__ = ["register", "run_risk"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``risk`` sub-command to the ``casekit`` parser."""
    p = subparsers.add_parser("risk", help="risk tiers of every assessed case (stage 3)")
    add_input_arguments(p, path_optional=True)
    add_rules_arguments(p, model=True)
    p.add_argument("--out", type=Path, default=None, help="scores file: .csv, .xlsx or .parquet")
    p.add_argument("--fairness", type=Path, default=None, help="also write the fairness view (.csv/.xlsx/.parquet)")
    p.add_argument("--print-default-model", action="store_true", help="print the shipped model TOML and exit")
    p.set_defaults(handler=run_risk)


def run_risk(args: argparse.Namespace) -> int:
    """Handler of ``casekit risk``; returns the exit code (a broken model file raises
    :class:`~casekit.errors.ConfigError`, before the workbook is read)."""
    from casekit.risk.fairness import fairness_summary
    from casekit.risk.model import default_model_text, load_model
    from casekit.risk.score import score_risk

    lang = args.lang
    if args.print_default_model:
        sys.stdout.write(default_model_text())
        return EXIT_OK
    if args.path is None or args.out is None:
        raise CliExit(EXIT_UNREADABLE, t("risk.cli_no_path" if args.path is None else "risk.cli_no_out", lang))
    model = load_model(args.model, lang=lang)  # before reading: a broken model fails fast
    result = load_validated(args)
    scores = score_risk(result, model, as_of=args.as_of)
    write_for_people(scores, args, args.out, "risk", model=model)
    if args.fairness is not None:
        write_for_people(fairness_summary(result, scores), args, args.fairness, "fairness")
    counts = scores["effective_tier"].value_counts()
    n_tier = dict(zip(counts["effective_tier"], counts["count"], strict=True))
    print(
        t(
            "risk.cli_summary",
            lang,
            n=scores.height,
            low=n_tier.get("low", 0),
            moderate=n_tier.get("moderate", 0),
            high=n_tier.get("high", 0),
            provisional=int(scores["provisional"].sum()),
            pending=int(scores["review_pending"].sum()),
        )
    )
    print(t("cli.wrote", lang, path=args.out))
    return EXIT_OK
