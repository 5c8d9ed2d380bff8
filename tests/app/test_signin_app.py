"""The app's door (issue 14), with AppTest: local mode only by opt-in, no data without
sign-in, and the committed Streamlit settings. The sign-in itself, against a real
OpenID Connect provider, is driven in a browser: tests/e2e/test_signin_browser.py."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from casekit.io._safety import DEFAULT_MAX_BYTES, MB
from tests.app.conftest import APP

ROOT = Path(APP).parent
SAMPLE_NAMES = ("Ana Belén Ortiz", "Marta Iglesias")  # case managers of the bundled sample


def _text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "markdown", "caption", "info", "warning", "error", "code")
        for e in getattr(at, kind)
    ]
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize(("lang", "expected"), [("es", "no está configurado"), ("en", "is not configured")])
def test_without_provider_or_opt_in_the_app_shows_only_how_to_configure(
    monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    text = _text(at)
    assert expected in text
    assert "CASEKIT_LOCAL_MODE=1" in text
    assert not at.sidebar.selectbox  # no language, source or case-manager pickers: nothing drawn
    assert not at.dataframe
    assert not any(name in text for name in SAMPLE_NAMES)


def test_with_a_provider_nobody_gets_in_before_signing_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "casekit",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.sidebar.selectbox
    assert not at.dataframe


@pytest.mark.parametrize(("lang", "expected"), [("es", "Modo local"), ("en", "Local mode")])
def test_local_mode_says_so_and_opens_the_sample(lang: str, expected: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)  # CASEKIT_LOCAL_MODE=1: tests/conftest.py
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert any(expected in i.value for i in at.info)
    assert at.sidebar.radio  # the data source: the bundled sample


def test_local_mode_from_the_workspace_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``local_mode = true`` in ``<CASEKIT_HOME>/casekit.toml`` opts in like the variable;
    the variable, when set, wins (``0`` turns a configured local mode off)."""
    monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path))
    (tmp_path / "casekit.toml").write_text("# the team laptop\nlocal_mode = true\n", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "es"
    at.run()
    assert not at.exception
    assert any("Modo local" in i.value for i in at.info)
    assert at.sidebar.radio  # the data source: the app is open
    monkeypatch.setenv("CASEKIT_LOCAL_MODE", "0")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "es"
    at.run()
    assert not at.exception
    assert "no está configurado" in _text(at)
    assert not at.sidebar.radio


def test_an_invalid_workspace_configuration_stops_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEKIT_LOCAL_MODE", raising=False)
    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path))
    (tmp_path / "casekit.toml").write_text('local_mode = "yes"\n', encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert "casekit cannot start" in _text(at)
    assert "local_mode = 'yes'" in _text(at)
    assert not at.sidebar.radio
    assert not at.dataframe


@pytest.mark.parametrize(("lang", "expected"), [("es", "escucha en «0.0.0.0»"), ("en", "listens on «0.0.0.0»")])
@pytest.mark.parametrize("address", ["0.0.0.0", None])
def test_local_mode_refuses_an_address_other_computers_reach(
    monkeypatch: pytest.MonkeyPatch, lang: str, expected: str, address: str | None
) -> None:
    """Local mode is this computer only: started on every interface (``0.0.0.0``, or no
    ``server.address`` at all) it shows why and nothing else."""
    from streamlit import config

    monkeypatch.setenv("CASEKIT_LOCAL_MODE", "1")
    before = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    assert expected in _text(at)
    assert not at.info  # no local-mode banner: the app did not open
    assert not at.sidebar.radio
    assert not at.dataframe


def test_committed_streamlit_settings() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "viewer"  # no Deploy button, no developer menu
    assert config["server"]["address"] == "localhost"
    assert config["server"]["maxUploadSize"] * MB == DEFAULT_MAX_BYTES  # casekit's own cap
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_users_screen_adds_and_removes_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """Local mode is the administrator: the Users screen writes to the workspace (audited)."""
    import casekit as ck
    from tests.builders import caseload

    monkeypatch.setenv("CASEKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CASEKIT_DB", str(tmp_path / "team.db"))
    ws = ck.Workspace.open(tmp_path / "team.db")
    ws.import_workbook(caseload(cases=[{"case_id": "A", "case_manager": "Eva Núñez"}]), actor="setup")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/users.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="user_email_input").input("Eva@Team.org")
    at.text_input(key="user_name").input("eva nunez")
    at.selectbox(key="user_language").select(lang)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("eva@team.org" in s.value.replace("\u2060", "").replace("\\", "") for s in at.success)
    assert not at.warning  # the name matches Eva Núñez's case
    user = ws.user("eva@team.org")
    assert user is not None
    assert (user.role, user.name, user.language) == ("case_manager", "eva nunez", lang)
    at.selectbox(key="user_remove_pick").select("eva@team.org")
    at.button(key="user_remove").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert ws.user("eva@team.org") is None
    actions = ws.audit().filter(ws.audit()["sheet"] == "users")["action"].to_list()
    assert actions == ["user_add", "user_remove"]
    ws.close()
