"""Who is using the app: sign-in (OpenID Connect through ``st.login``), local mode, roles.

:func:`identify` runs first on every page (from ``app.py``):

- **local mode** (``CASEKIT_LOCAL_MODE=1``, or ``local_mode = true`` in the workspace
  configuration, :mod:`casekit.workspace.config`: an explicit opt-in): one local user
  with the admin role, said in a banner; ``.streamlit/config.toml`` binds the server to
  localhost, and local mode refuses to run on any other address (:func:`is_loopback`);
- **sign-in** when ``[auth]`` is configured in ``.streamlit/secrets.toml``: the e-mail the
  identity provider vouches for must be a user of the workspace (``casekit users add``);
  the role decides the pages (:func:`pages_for`) and the workspace scopes every read;
- otherwise the app explains how to configure sign-in and shows nothing else.

Examples
--------
>>> pages_for("trainer")
('learn',)
>>> pages_for("researcher")
('explore', 'outcomes')
>>> "users" in pages_for("admin"), "users" in pages_for("supervisor")
(True, False)
>>> is_local({"CASEKIT_LOCAL_MODE": "1"}, {}), is_local({}, {})
(True, False)
>>> is_local({}, {"local_mode": True}), is_local({"CASEKIT_LOCAL_MODE": "0"}, {"local_mode": True})
(True, False)
>>> is_loopback("localhost"), is_loopback("127.0.0.1"), is_loopback("0.0.0.0"), is_loopback(None)
(True, True, False, False)
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from casekit.errors import AccessDenied, CasekitError
from casekit.i18n import t
from casekit.ui import PAGES

__all__ = [
    "LOCAL_ENV",
    "Identity",
    "alerts",
    "allowed_sources",
    "guard_case",
    "identify",
    "is_local",
    "is_loopback",
    "local_banner",
    "may_record",
    "pages_for",
    "reassign_form",
    "scoped_result",
    "shows_exact_counts",
    "signed_in",
    "workspace_label",
]

#: The environment variable that opts into local mode (no sign-in, one local admin).
LOCAL_ENV = "CASEKIT_LOCAL_MODE"
#: The pages of each role (the Users screen is the administrator's).
_ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "trainer": ("learn",),
    "researcher": ("explore", "outcomes"),
    "case_manager": PAGES,
    "supervisor": PAGES,
    "admin": (*PAGES, "users"),
}


@dataclass(frozen=True)
class Identity:
    """The person using the app: ``email`` (``None`` in local mode), ``role`` and the
    case-manager ``name`` of their caseload."""

    email: str | None
    role: str
    name: str | None = None

    @property
    def local(self) -> bool:
        return self.email is None


def is_local(environ: Mapping[str, str] | None = None, config: Mapping[str, Any] | None = None) -> bool:
    """Whether local mode was asked for: ``CASEKIT_LOCAL_MODE`` (``1``/``true``/``yes``/``on``)
    when set, else ``local_mode = true`` in the workspace configuration (``config``; default:
    :func:`casekit.workspace.config.load_config`, which raises ``ConfigError`` when invalid)."""
    env = os.environ if environ is None else environ
    value = env.get(LOCAL_ENV, "").strip().lower()
    if value:
        return value in {"1", "true", "yes", "on"}
    from casekit.workspace.config import CONFIG_NAME, config_path, load_config, local_mode_setting

    source = CONFIG_NAME if config is not None else str(config_path())
    return local_mode_setting(dict(load_config() if config is None else config), source=source)


def is_loopback(address: str | None) -> bool:
    """Whether a server address (``server.address``) is this computer only. ``None`` or
    ``""`` means every network interface: not loopback."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost
        return False


def pages_for(role: str) -> tuple[str, ...]:
    """The pages ``role`` sees, in navigation order."""
    return _ROLE_PAGES.get(role, ())


def signed_in() -> Identity | None:
    """The identity :func:`identify` settled on in this session."""
    return st.session_state.get("_identity")


def _auth_configured() -> bool:
    """Whether ``[auth]`` is in the secrets with what ``st.login`` needs."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file at all
        return False
    if not auth:
        return False
    return bool(auth.get("redirect_uri")) and bool(auth.get("cookie_secret"))


def _logged_in() -> bool:
    """Whether the provider's identity cookie is there (``st.user`` is empty before sign-in)."""
    return bool(st.user.get("is_logged_in", False))


def _user_email() -> str | None:
    email = st.user.get("email") if _logged_in() else None
    return str(email).strip().lower() if email else None


def identify(lang: str) -> Identity:
    """Settle who is using the app, or stop the script with the reason shown."""
    try:
        local = is_local()
    except CasekitError as exc:  # a workspace configuration that is not valid: say so, show nothing
        st.title("casekit")
        st.error(t("ui_access.bad_config", lang, problem=exc.message(lang)))
        st.stop()
    if local:
        address = st.get_option("server.address")
        if not is_loopback(address):  # local mode never serves other computers
            st.title("casekit")
            st.error(t("ui_access.local_not_localhost", lang, address=address or "0.0.0.0"))
            st.stop()
        st.session_state["_identity"] = admin = Identity(None, "admin")
        st.session_state.pop("user_email", None)
        return admin
    if not _auth_configured():
        _how_to_configure(lang)
        st.stop()
    if not _logged_in():
        st.session_state.pop("_identity", None)
        st.title("casekit")
        st.write(t("ui_access.sign_in_intro", lang))
        st.button(t("ui_access.sign_in", lang), on_click=st.login, type="primary", key="sign_in")
        st.stop()
    email = _user_email()
    who = signed_in()
    if who is None or who.email != email:
        who = _sign_in(email, lang)
    _account_box(who, lang)
    return who


def _sign_in(email: str | None, lang: str) -> Identity:
    """First run after the provider's redirect: check the user in the workspace (audited)."""
    from casekit.ui import records

    if not email or not records.workspace_exists():
        _refuse(t("ui_access.no_workspace" if email else "ui_access.no_email", lang), lang)
    ws = records.current()
    try:
        user = ws.sign_in(email, lang=lang)  # type: ignore[arg-type]  # st.user's email is typed str | None; None was refused just above
    except AccessDenied as exc:
        _refuse(exc.message(lang), lang)
    who = Identity(user.email, user.role, user.name)
    st.session_state["_identity"] = who
    st.session_state["user_email"] = user.email
    if user.language and "_lang_from_user" not in st.session_state:
        st.session_state["_lang_from_user"] = True
        st.session_state["lang"] = user.language
    return who


def _refuse(message: str, lang: str) -> None:
    st.title("casekit")
    st.error(message)
    st.button(t("ui_access.sign_out", lang), on_click=st.logout, key="sign_out_refused")
    st.stop()


def _sign_out() -> None:
    from casekit.ui import records

    who = signed_in()
    if who is not None and who.email is not None:
        records.current().sign_out(who.email)
    for key in ("_identity", "user_email"):
        st.session_state.pop(key, None)
    st.logout()


def _account_box(who: Identity, lang: str) -> None:
    with st.sidebar:
        st.caption(t("ui_access.signed_in_as", lang, email=who.email, role=t(f"ui_access.role_{who.role}", lang)))
        st.button(t("ui_access.sign_out", lang), on_click=_sign_out, key="sign_out")


def local_banner(who: Identity, lang: str) -> None:
    """The banner that says the app runs without sign-in."""
    if who.local:
        st.info(t("ui_access.local_banner", lang), icon="🔓")


def _how_to_configure(lang: str) -> None:
    st.title("casekit")
    st.warning(t("ui_access.not_configured", lang))
    from casekit.workspace.config import CONFIG_HINT

    st.markdown(t("ui_access.configure_steps", lang, config=CONFIG_HINT))
    st.code(
        '[auth]\nredirect_uri = "https://casekit.example.org/oauth2callback"\n'
        'cookie_secret = "…a long random string…"\nclient_id = "…"\nclient_secret = "…"\n'
        'server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"',
        language="toml",
    )
    st.code("CASEKIT_LOCAL_MODE=1 python -m streamlit run app.py", language="bash")
    st.code(f"# {CONFIG_HINT}\nlocal_mode = true", language="toml")


def scoped_result(ws: Any, result: Any, key: str) -> tuple[Any, str]:
    """The stored state the signed-in user may see, and its cache key.

    Local mode and administrators: ``result`` itself. Case managers and supervisors:
    :meth:`~casekit.Workspace.result` with ``user=`` (the workspace applies the scope).
    Researchers: the de-identified extract of the workspace.
    """
    who = signed_in()
    if who is None or who.local or who.role == "admin":
        return result, key
    scoped_key = f"{key}:{who.email}"
    cache = _scoped_cache()
    if scoped_key not in cache:
        cache.clear()  # one state per user at a time: the newest
        if who.role == "researcher":
            cache[scoped_key] = _research_result(ws, who.email)  # type: ignore[arg-type]  # who.email is typed str | None; a signed-in user has one
        else:
            cache[scoped_key] = ws.result(lang="en", user=who.email)
    return cache[scoped_key], scoped_key


@st.cache_resource(show_spinner=False)
def _scoped_cache() -> dict[str, Any]:
    return {}


@st.cache_resource(show_spinner=False)
def _server_key() -> str:
    """One extract key per server process: pseudonyms stay stable while a researcher works.

    ``CASEKIT_RESEARCH_KEY``, only when set, is that key instead (checked like any extract
    key: 32 random bytes in hexadecimal, :func:`casekit.deid.check_key`), so the researcher's
    extract is the same after a restart; unset (the default), a fresh random key.
    """
    from casekit.deid import check_key, new_key

    given = os.environ.get(RESEARCH_KEY_ENV, "").strip()
    if given:
        check_key(given)  # a weak or malformed key stops here, with the reason
        return given
    return new_key()


#: The environment variable that fixes the researcher's extract key (see :func:`_server_key`).
RESEARCH_KEY_ENV = "CASEKIT_RESEARCH_KEY"


def _research_result(ws: Any, email: str) -> Any:
    from casekit.data import ValidationResult
    from casekit.validation import validate

    extract = ws.research_extract(user=email, key=_server_key())
    result = validate(extract.data, lang="en")
    return ValidationResult(
        data=result.data, report=result.report.clear(), quarantined={}, issues=None, lang=result.lang
    )


def guard_case(ws: Any, case_id: str, lang: str) -> bool:
    """Audit the opening of a client's record (once per case and session); refuse — with
    the message shown and the refusal audited — a case outside the user's scope."""
    who = signed_in()
    seen = st.session_state.setdefault("_cases_viewed", set())
    if case_id in seen:
        return True
    try:
        ws.open_case(case_id, user=who.email if who else None, lang=lang)
    except AccessDenied as exc:
        st.error(exc.message(lang))
        return False
    seen.add(case_id)
    return True


def reassign_form(ws: Any, case_id: str, managers: list[str], lang: str) -> None:
    """Reassign the case (supervisors and administrators)."""
    who = signed_in()
    if who is None or who.role not in ("supervisor", "admin"):
        return
    import datetime as dt

    with st.form(key="reassign"):
        manager = st.selectbox(t("ui_access.reassign_to", lang), managers, key="reassign_to")
        on = st.date_input(t("ui_access.reassign_on", lang), value=dt.date.today(), key="reassign_on")
        if st.form_submit_button(t("ui_access.reassign", lang)):
            try:
                ws.assign(case_id, manager, on=on, user=who.email, lang=lang)
            except CasekitError as exc:  # AccessDenied, a date before the assignment in force
                st.error(exc.message(lang))
            else:
                st.session_state["_flash"] = t("ui_access.reassigned", lang, case=case_id, manager=manager)
                st.rerun()


def alerts(who: Identity, tables: Any, lang: str) -> None:
    """A case manager's caseload line and open priority-1 and priority-2 items, first on every page."""
    if who.role != "case_manager" or tables is None:
        return
    from casekit.stages import priority_counts
    from casekit.ui.widgets import md

    cases = tables.data.get("cases")
    n = cases.height if cases is not None else 0
    st.caption(md(t("ui_access.my_caseload", lang, name=who.name or who.email, n=n)))
    counts = priority_counts(tables.get("status"))  # the worklist's counts, without making it
    if counts[1] or counts[2]:
        st.warning(t("ui_access.alerts", lang, p1=counts[1], p2=counts[2]), icon="⚠️")


def shows_exact_counts(who: Identity | None = None) -> bool:
    """Whether ``who`` (default: the signed-in user) sees the team's exact counts on screen
    and may switch downloads to them: local mode, case managers, supervisors and admins.
    A researcher (and anyone unknown) sees every aggregate with small cells suppressed,
    downloads included, and has no switch.

    >>> shows_exact_counts(Identity(None, "admin")), shows_exact_counts(Identity("r@u.edu", "researcher"))
    (True, False)
    """
    from casekit.workspace import RECORD_ROLES

    who = signed_in() if who is None else who
    return who is not None and (who.local or who.role in RECORD_ROLES)


def allowed_sources(sources: tuple[str, ...]) -> tuple[str, ...]:
    """The sidebar's data sources the signed-in role may use (local mode and admins: all).

    Trainers: the bundled sample only; researchers: the workspace (de-identified) and the
    sample; case managers and supervisors: the workspace and the sample (imports are the
    administrator's).
    """
    who = signed_in()
    if who is None or who.local or who.role == "admin":
        return sources
    if who.role == "trainer":
        return ("sample",)
    return tuple(s for s in sources if s in ("workspace", "sample"))


def workspace_label(lang: str) -> str:
    """The workspace source's name in the sidebar (de-identified for a researcher)."""
    who = signed_in()
    if who is not None and who.role == "researcher":
        return t("ui_access.research_source", lang)
    return t("ui_records.source_workspace", lang)


def may_record(sheet: str) -> bool:
    """Whether the signed-in role records rows of ``sheet`` at all (local mode: yes); the
    workspace still checks each row's case. Forms a role cannot use are not drawn."""
    from casekit.workspace import can_record

    who = signed_in()
    return who is None or who.local or can_record(who.role, sheet, {})
