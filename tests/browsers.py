"""The system Chromium for browser tests: found on PATH, else the test is skipped locally and
fails in CI (scripts/test installs it), unless SANCTRACE_ALLOW_NO_BROWSER=1."""

from __future__ import annotations

import os
import shutil

import pytest


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "no chromium on PATH (scripts/test installs it: apt-get install chromium)"
    if os.environ.get("CI") and os.environ.get("SANCTRACE_ALLOW_NO_BROWSER") != "1":
        pytest.fail(f"{reason}; set SANCTRACE_ALLOW_NO_BROWSER=1 to skip the browser test")
    pytest.skip(reason)
