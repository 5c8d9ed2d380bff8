"""The README's Python examples run as written (against the bundled sample)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sample_data").symlink_to(ROOT / "sample_data")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile("import casekit as ck\n" + code, "README.md", "exec"), namespace)
    if "status" in namespace:
        assert namespace["status"].height == 500
        assert (tmp_path / "log.csv").stat().st_size > 0


def test_code_and_docs_cite_only_files_of_the_repository() -> None:
    """The brief the project was built from is not shipped: a reader of the repository
    must find every cited document in it (docs/, the README), never ``DESIGN.md`` or a
    ``../shared`` path."""
    outside = re.compile(r"DESIGN\.md|STYLE\.md|PITFALLS\.md|\.\./shared")
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "casekit").rglob("*.py")]
    files += [*(ROOT / "casekit" / "locales").glob("*.toml"), *(ROOT / "tests").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        if path != Path(__file__).resolve()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []
