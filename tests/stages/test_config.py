"""Process rules: shipped defaults, partial files, and one clear error per bad value."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from casekit.errors import ConfigError
from casekit.stages import DEFAULT_PROCESS_FILE, ProcessConfig, load_process_config


def test_defaults_are_design_section_4() -> None:
    cfg = load_process_config()
    assert cfg == ProcessConfig()
    assert (cfg.screening_days, cfg.assessment_days, cfg.plan_days, cfg.plan_days_high_tier) == (7, 14, 14, 7)
    assert (cfg.cadence("high"), cfg.cadence("moderate"), cfg.cadence("low")) == (14, 30, 60)
    assert (cfg.post_transition_window_days, cfg.outcome_follow_up_days) == (7, 90)
    assert cfg.review_required is True
    assert cfg.default_tier == "moderate"
    assert cfg.outcomes_may_precede_transition is True


def test_shipped_file_is_packaged_and_complete() -> None:
    raw = tomllib.loads(DEFAULT_PROCESS_FILE.read_text(encoding="utf-8"))
    assert set(raw) == {"deadlines", "follow_up_cadence_days", "risk", "out_of_order"}
    assert load_process_config(DEFAULT_PROCESS_FILE) == ProcessConfig()
    assert load_process_config(ProcessConfig().to_toml()) == ProcessConfig()


def test_partial_file_keeps_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[follow_up_cadence_days]\nhigh = 10\n[risk]\nreview_required = false\n", encoding="utf-8")
    for source in (path, str(path), path.read_bytes(), path.read_text(encoding="utf-8")):
        cfg = load_process_config(source)
        assert (cfg.cadence_high, cfg.cadence_moderate, cfg.review_required) == (10, 30, False)
    assert load_process_config("") == ProcessConfig()
    assert load_process_config("[risk]\ndefault_tier = 'HIGH'").default_tier == "high"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[deadlines]\nscreening_days = -1", "deadlines.screening_days"),
        ("[deadlines]\nplan_days = 7.5", "deadlines.plan_days"),
        ("[deadlines]\nplan_days = '14'", "deadlines.plan_days"),
        ("[deadlines]\nplan_days = true", "deadlines.plan_days"),
        ("[follow_up_cadence_days]\nhigh = -14", "follow_up_cadence_days.high"),
        ("[follow_up_cadence_days]\nurgent = 3", "follow_up_cadence_days.urgent"),
        ("[deadlines]\nscreening_dayz = 3", "deadlines.screening_dayz"),
        ("[deadline]\nscreening_days = 3", "deadline"),
        ("plan_days = 3", "plan_days"),
        ("[risk]\ndefault_tier = 'severe'", "risk.default_tier"),
        ("[risk]\nreview_required = 'yes'", "risk.review_required"),
        ("[out_of_order]\noutcomes_may_precede_transition = 1", "out_of_order.outcomes_may_precede_transition"),
    ],
)
def test_bad_values_name_the_key_in_both_languages(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_process_config(text)
    assert f"«{key}»" in info.value.message("en")
    assert f"«{key}»" in info.value.message("es")
    assert info.value.message("en") != info.value.message("es")


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_process_config("[deadlines\nplan_days = 3")
    bad = tmp_path / "mine.toml"
    bad.write_text("plan_days = = 3", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mine\.toml"):
        load_process_config(bad, lang="es")
    with pytest.raises(ConfigError, match="no existe"):
        load_process_config(tmp_path / "absent.toml", lang="es")
    with pytest.raises(ConfigError, match="does not exist"):
        load_process_config("absent.toml")


def test_config_is_frozen() -> None:
    cfg = load_process_config()
    with pytest.raises(AttributeError):
        cfg.plan_days = 3  # type: ignore[misc]
