"""The command line never overwrites what it reads, never prints a BrokenPipe traceback
and never sends a cell's control characters raw to the terminal."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli_runner import casekit_command, run_casekit

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_out_over_the_input_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "cases.csv"
    book.write_bytes(b"case_id,opened_on\nC1,2026-03-01\n")
    before = book.read_bytes()
    done = run_casekit("validate", book, "--out", tmp_path / "." / "cases.csv", "--lang", "es")
    assert done.returncode == 2
    assert "cases.csv" in done.stderr
    assert "--out" in done.stderr
    assert book.read_bytes() == before
    # a sheet file of the folder being read is an input too; a new file there is not
    done = run_casekit("validate", tmp_path, "--out", book)
    assert done.returncode == 2
    assert book.read_bytes() == before
    done = run_casekit("validate", tmp_path, "--out", tmp_path / "report.csv")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.csv").exists()


def test_a_pipe_closed_early_ends_quietly() -> None:
    command = " ".join(f"'{part}'" for part in [*casekit_command(), "validate", str(SAMPLE / "casekit_broken_es.xlsx")])
    done = subprocess.run(f"{command} | head -n 1", shell=True, capture_output=True, text=True, check=False)
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert "BrokenPipe" not in done.stderr


def test_control_characters_in_cells_are_not_sent_to_the_terminal(tmp_path: Path) -> None:
    book = tmp_path / "cases.csv"
    book.write_bytes(b"case_id,opened_on,sex\nC1,\x1b[2J2026-03-01,\x1b]0;owned\x07female\xc2\x9b\n")
    done = run_casekit("validate", book, "--lang", "en")
    assert done.returncode == 1
    assert "\x1b" not in done.stdout
    assert "\x07" not in done.stdout
    assert "\x9b" not in done.stdout
    assert "\\x1b[2J2026-03-01" in done.stdout  # shown, escaped


def test_json_output_escapes_del_c1_and_bidi_controls(tmp_path: Path) -> None:
    import json

    book = tmp_path / "cases.csv"
    book.write_bytes("case_id,opened_on,sex\nC1,x\x7f\u202e2026-03-01,female\x9b\n".encode())
    done = run_casekit("validate", book, "--lang", "en", "--format", "json")
    assert done.returncode == 1
    for raw in ("\x7f", "\x9b", "\u202e", "\x1b"):
        assert raw not in done.stdout
    values = {row["value"] for row in json.loads(done.stdout)}
    assert "x\x7f\u202e2026-03-01" in values  # still valid JSON, the value intact once parsed
