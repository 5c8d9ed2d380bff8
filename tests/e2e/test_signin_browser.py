"""Sign-in end to end: a real OpenID Connect provider on 127.0.0.1, the app served by
``streamlit run`` with its own secrets file, and Chromium signing in (issue 14).

The provider is ``oidc-provider-mock`` (a real authorization-code flow: discovery, the
authorization form, token endpoint, signed ID token). The secrets are written into a
temporary folder (``--secrets.files``), never into the repository's ``.streamlit``. The
workspace is a SQLite file with the sample's cases and three users:

- a case manager signs in, sees only their caseload (the count, the worklist's cases),
  asking for another case by its link is refused and audited; sign-out ends the session;
- a researcher signs in and sees only Explore and Outcomes, on de-identified data: no
  client's name anywhere in the page text;
- a supervisor signs in and sees their programme's cases only (the worklist; another
  programme's case by its link is refused), and reassigns a case (a supervisor's action,
  stored with its history and audited);
- a trainer signs in and sees only Learn, on the bundled sample (no workspace to choose);
- an e-mail that is not a user is refused (and audited).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest

import casekit as ck
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT, _free_port, running_app, screenshot, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CM, RESEARCHER, STRANGER = "marta@team.org", "rita@uni.edu", "nobody@else.org"
SUPERVISOR, TRAINER = "sofia@team.org", "tomas@team.org"
COOKIE_SECRET = "a-fixed-test-cookie-secret-0123456789abcdef"
#: The researcher's extract key (``CASEKIT_RESEARCH_KEY``, docs/deployment.md): a random key per
#: server process would make k-anonymity's steps, and so whether outcome pairs survive, vary
#: from run to run; with this key and the 120-case workspace they do (checked in the test).
RESEARCH_KEY = hashlib.sha256(b"casekit sign-in browser tests 1").hexdigest()


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on 127.0.0.1 (any client id; the user types their e-mail)."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=_free_port()) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def signin_app(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The app with sign-in configured against ``provider``, on a workspace with users."""
    folder = tmp_path_factory.mktemp("signin")
    home = folder / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("CASEKIT_LOCAL_MODE", "CASEKIT_AUDIT_KEY")}
    env |= {"CASEKIT_DB": str(folder / "team.db"), "CASEKIT_HOME": str(home), "CASEKIT_READER": "sqlalchemy"}
    env["CASEKIT_RESEARCH_KEY"] = RESEARCH_KEY  # the same de-identified extract on every run
    saved = {k: os.environ.get(k) for k in ("CASEKIT_HOME", "CASEKIT_AUDIT_KEY")}
    os.environ["CASEKIT_HOME"] = str(home)
    os.environ.pop("CASEKIT_AUDIT_KEY", None)
    ws = ck.Workspace.open(folder / "team.db")
    sample = ck.make_sample(120, seed=7)  # with this key its extract keeps exact-shifted dates and outcome pairs
    ws.import_workbook(sample, actor="setup")
    cases = ws.data()["cases"]
    manager = cases["case_manager"].mode().sort()[0]
    ws.add_user(CM, "case_manager", name=manager, actor="setup", language="es")
    ws.add_user(RESEARCHER, "researcher", actor="setup", language="en")
    program = cases["program"].mode().sort()[0]
    ws.add_user(SUPERVISOR, "supervisor", programs=[program], actor="setup", language="es")
    ws.add_user(TRAINER, "trainer", actor="setup", language="en")
    port = _free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "casekit-tests"\n'
        'client_secret = "casekit-tests-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    try:
        with running_app("streamlit-signin.log", args=("--secrets.files", str(secrets)), env=env, port=port) as url:
            yield {"url": url, "ws": ws, "cases": cases, "manager": manager, "program": program}
    finally:
        ws.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _sign_in(browser, url: str, email: str, locale: str):
    context = browser.new_context(locale=locale, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Iniciar sesión" if locale.startswith("es") else "Sign in").click()
    page.wait_for_selector("input[name='sub']")  # the provider's own authorization form
    page.fill("input[name='sub']", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    # back in the app: wait for the sign-out button (the account box, or the refusal's),
    # then for the run to end — never for a fixed time
    page.get_by_role("button", name="Cerrar sesión" if locale.startswith("es") else "Sign out").wait_for()
    wait_idle(page)
    return context, page


def _open(page, url: str, ready: str) -> None:
    """Go to ``url`` and wait until ``ready`` (a selector) is drawn and the run has ended."""
    page.goto(url)
    page.locator(ready).first.wait_for(state="attached")  # a data frame's cells are in the DOM, not visible
    wait_idle(page)


def _body(page) -> str:
    return page.inner_text("body")


def _cells(page) -> set[str]:
    """Every table cell the page shows: HTML tables, and the grid cells of data frames (a
    case link's accessible cell holds its address: the case is its ``case`` parameter)."""
    found = [c.inner_text().strip() for c in page.locator("table td, table th, [role='gridcell']").all()]
    return {parse_qs(urlparse(text).query).get("case", [text])[0] for text in found}


def test_case_manager_sees_only_their_caseload_and_signs_out(chromium_browser, signin_app) -> None:
    url, ws, cases = signin_app["url"], signin_app["ws"], signin_app["cases"]
    mine = cases.filter(pl.col("case_manager") == signin_app["manager"])
    theirs = cases.filter(pl.col("case_manager") != signin_app["manager"])
    context, page = _sign_in(chromium_browser, str(url), CM, "es-ES")
    try:
        text = _body(page)
        assert f"Sesión iniciada como {CM}" in text
        assert f"{mine.height} casos" in text  # "Mi cartera de casos (…): N casos", nothing to choose
        _open(page, f"{url}/monitoring", "table td, [role='gridcell']")
        cells = _cells(page)  # the worklist: only her cases
        screenshot(page, "signin_case_manager_worklist")
        assert cells & set(mine["case_id"].to_list())
        assert not cells & set(theirs["case_id"].to_list())
        other = theirs["case_id"][0]
        refusal = f"El caso {other} no está en su cartera de casos"
        _open(page, f"{url}/case?case={other}", f"text={refusal}")
        assert refusal in _body(page)
        screenshot(page, "signin_case_manager_refused")
        log = ws.audit()  # type: ignore[attr-defined]
        assert ("sign_in", CM) in log.select("action", "actor").rows()
        refused = log.filter((pl.col("action") == "denied") & (pl.col("actor") == CM))
        assert other in refused["case_id"].to_list()
        viewed = log.filter((pl.col("action") == "view") & (pl.col("actor") == CM))["case_id"].to_list()
        assert viewed  # the case page opened one of hers
        assert set(viewed) <= set(mine["case_id"].to_list())
        page.get_by_role("button", name="Cerrar sesión").click()
        # Streamlit ends the provider's session too (RP-initiated logout): its own confirmation form
        page.get_by_role("button", name="End session").click()
        page.get_by_role("button", name="Iniciar sesión").wait_for()
        _open(page, str(url), "button:has-text('Iniciar sesión')")
        assert page.get_by_role("button", name="Iniciar sesión").is_visible()
        assert mine["client_name"][0] not in _body(page)
        assert ("sign_out", CM) in ws.audit().select("action", "actor").rows()  # type: ignore[attr-defined]
        assert ws.verify_audit().intact  # type: ignore[attr-defined]
    finally:
        context.close()


def test_researcher_sees_only_de_identified_pages(chromium_browser, signin_app) -> None:
    url, cases = signin_app["url"], signin_app["cases"]
    context, page = _sign_in(chromium_browser, str(url), RESEARCHER, "en-US")
    try:
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Explore" in nav
        assert "Outcomes" in nav
        assert "Monitoring" not in nav
        assert "Case record" not in nav
        names = [n for n in cases["client_name"].drop_nulls().to_list() if n]
        for path in ("explore", "outcomes"):
            _open(page, f"{url}/{path}", "h1")
            page.get_by_text("Team workspace (de-identified)").first.wait_for(state="attached")  # the source
            wait_idle(page)
            assert page.locator("[data-testid='stException']").count() == 0
            text = _body(page) + " ".join(_cells(page))
            leaked = [n for n in names if n in text]
            assert not leaked
            assert "de-identified" in text
            # no switch to exact counts on either page: a researcher's downloads are suppressed
            assert page.get_by_text("Show exact counts of 1–10 people").count() == 0
        # the extract's key is fixed (RESEARCH_KEY): its outcome pairs survive, and the screen
        # says their small cells are suppressed
        assert "No outcome measures recorded yet" not in text
        assert "groups of 1–10 cases are suppressed here and in the downloads" in text, text
        screenshot(page, "signin_researcher_outcomes")
    finally:
        context.close()


def test_supervisor_sees_their_programme_and_reassigns_a_case(chromium_browser, signin_app) -> None:
    url, ws, cases = signin_app["url"], signin_app["ws"], signin_app["cases"]
    ours = cases.filter(pl.col("program") == signin_app["program"])
    others = cases.filter(pl.col("program") != signin_app["program"])
    context, page = _sign_in(chromium_browser, str(url), SUPERVISOR, "es-ES")
    try:
        assert f"Sesión iniciada como {SUPERVISOR}" in _body(page)
        _open(page, f"{url}/monitoring", "table td, [role='gridcell']")
        cells = _cells(page)  # the worklist: their programme's cases only
        assert cells & set(ours["case_id"].to_list())
        assert not cells & set(others["case_id"].to_list())
        elsewhere = others["case_id"][0]
        refusal = f"El caso {elsewhere} no está en su cartera de casos"
        _open(page, f"{url}/case?case={elsewhere}", f"text={refusal}")
        # reassign one of theirs to the first case manager the form offers (its default)
        target = ours["case_manager"].drop_nulls().unique().sort()[0]
        case_id = ours.filter(pl.col("case_manager") != target)["case_id"][0]
        _open(page, f"{url}/case?case={case_id}", "button:has-text('Reasignar el caso')")
        page.get_by_role("button", name="Reasignar el caso").click()
        page.get_by_text(f"Caso {case_id} reasignado a {target}").wait_for()
        wait_idle(page)
        screenshot(page, "signin_supervisor_reassigned")
        held = ws.assignments().filter((pl.col("case_id") == case_id) & pl.col("to_on").is_null())  # type: ignore[attr-defined]
        assert held.select("case_manager", "by").rows() == [(target, SUPERVISOR)]
        log = ws.audit().select("action", "actor", "case_id").rows()  # type: ignore[attr-defined]
        assert ("assign", SUPERVISOR, case_id) in log
        assert ("denied", SUPERVISOR, elsewhere) in log
        assert ws.verify_audit().intact  # type: ignore[attr-defined]
    finally:
        context.close()


def test_trainer_sees_only_learn_on_the_bundled_sample(chromium_browser, signin_app) -> None:
    url = signin_app["url"]
    context, page = _sign_in(chromium_browser, str(url), TRAINER, "en-US")
    try:
        nav = page.locator("[data-testid='stSidebarNav']")
        assert nav.count() == 0 or nav.inner_text().split() == ["Learn"]  # one page: no menu at all
        assert page.locator("h1").first.inner_text().startswith("Learn")
        sources = page.locator("[data-testid='stSidebar'] [role='radiogroup'] label").all_inner_texts()
        assert sources == ["Bundled sample (500 cases)"]  # no workspace, no upload
        _open(page, f"{url}/monitoring", "h1")  # another page by its address: still Learn
        assert page.locator("h1").first.inner_text().startswith("Learn")
        assert "Team workspace" not in _body(page)
        screenshot(page, "signin_trainer_learn")
    finally:
        context.close()


def test_an_unknown_email_is_refused(chromium_browser, signin_app) -> None:
    url, ws = signin_app["url"], signin_app["ws"]
    context, page = _sign_in(chromium_browser, str(url), STRANGER, "en-US")
    try:
        assert f"«{STRANGER}» is not a user of this workspace" in _body(page)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert ("denied", STRANGER) in ws.audit().select("action", "actor").rows()  # type: ignore[attr-defined]
    finally:
        context.close()
