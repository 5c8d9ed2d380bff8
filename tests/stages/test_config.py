"""Process rules: shipped defaults, partial files, and one clear error per bad value."""

from __future__ import annotations

import datetime as dt
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
    assert cfg.windows() == {"discharge": 2, "transfer": 2, "step_down": 7, "step_up": 7}
    assert cfg.business_day_kinds == ("discharge", "transfer")
    assert cfg.holidays == ()
    assert cfg.client_contact_with == ("client", "support_system")
    assert (cfg.readmission_levels, cfg.readmission_days, cfg.outcome_follow_up_days) == (("inpatient",), 30, 90)
    assert [cfg.reassessment(t) for t in ("high", "moderate", "low")] == [90, 180, 365]
    assert cfg.review_required is True
    assert cfg.default_tier == "moderate"
    assert cfg.outcomes_may_precede_transition is True


def test_shipped_file_is_packaged_and_complete() -> None:
    raw = tomllib.loads(DEFAULT_PROCESS_FILE.read_text(encoding="utf-8"))
    assert set(raw) == {
        "deadlines",
        "follow_up_cadence_days",
        "reassessment_days",
        "client_contact",
        "post_transition",
        "readmission",
        "risk",
        "out_of_order",
    }
    assert set(raw["post_transition"]) == {"kinds", "business_day_kinds", "holidays", "window_days"}
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
        ("[client_contact]\nwith_whom = ['client', 'neighbour']", "client_contact.with_whom"),
        ("[client_contact]\nwith_whom = 'client'", "client_contact.with_whom"),
        ("[post_transition]\nholidays = ['2026-12-25']", "post_transition.holidays"),
        ("[post_transition]\nkinds = ['letter']", "post_transition.kinds"),
        ("[post_transition.window_days]\ndischarge = -2", "post_transition.window_days.discharge"),
        ("[post_transition.window_days]\nreferral = 2", "post_transition.window_days.referral"),
        ("[post_transition]\nwindow_days = 2", "post_transition.window_days"),
        ("[readmission]\nlevels = ['hospital']", "readmission.levels"),
        ("[reassessment_days]\nhigh = 'soon'", "reassessment_days.high"),
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


def test_new_tables_and_the_deprecated_window_key() -> None:
    cfg = load_process_config(
        "[post_transition]\nholidays = [2026-12-25, 2026-12-24]\nbusiness_day_kinds = ['Discharge']\n"
        "[post_transition.window_days]\ntransfer = 5\n[client_contact]\nwith_whom = ['client']\n"
        "[readmission]\nlevels = ['inpatient', 'skilled_nursing']\ndays = 31\n[reassessment_days]\nlow = 200"
    )
    assert cfg.holidays == (dt.date(2026, 12, 24), dt.date(2026, 12, 25))
    assert cfg.business_day_kinds == ("discharge",)
    assert cfg.windows() == {"discharge": 2, "transfer": 5, "step_down": 7, "step_up": 7}
    assert (cfg.client_contact_with, cfg.readmission_levels, cfg.readmission_days) == (
        ("client",),
        ("inpatient", "skilled_nursing"),
        31,
    )
    assert cfg.reassessment("low") == 200
    assert load_process_config(cfg.to_toml()) == cfg
    with pytest.warns(FutureWarning, match="post_transition.window_days"):
        old = load_process_config("[deadlines]\npost_transition_window_days = 9")
    assert set(old.windows().values()) == {9}
    with pytest.warns(FutureWarning):  # the new table wins over the alias for the kinds it names
        both = load_process_config(
            "[deadlines]\npost_transition_window_days = 9\n[post_transition.window_days]\ndischarge = 1"
        )
    assert both.windows() == {"discharge": 1, "transfer": 9, "step_down": 9, "step_up": 9}
