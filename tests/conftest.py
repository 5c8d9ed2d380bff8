"""Settings shared by every test.

Property-based tests (hypothesis) run derandomized by default, so a CI run on a fresh
clone sees the same examples every time: a failure there is a real regression, not an
unlucky draw. Explore new examples locally with ``HYPOTHESIS_PROFILE=explore pytest``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The app's tests run it in local mode (no sign-in, one local admin), as the README's first
# command does; the sign-in tests (tests/app/test_signin_app.py, tests/e2e/test_signin_browser.py)
# remove it and configure a real OpenID Connect provider.
os.environ.setdefault("CASEKIT_LOCAL_MODE", "1")

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,  # the machine is shared and noisy: time limits live in benchmarks/
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
