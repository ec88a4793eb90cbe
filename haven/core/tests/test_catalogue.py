"""The Vietnamese catalogue is complete: every message translated, none left fuzzy (`haven catalogue
check` only says whether the catalogues are up to date with the code)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

VI = Path(__file__).resolve().parents[3] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(flag: str) -> list[str]:
    out = subprocess.run(  # noqa: S603
        [shutil.which("msgattrib") or "msgattrib", flag, "--no-obsolete", str(VI)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # One entry a block; the header (the first, msgid "") is not a message.
    blocks = [b for b in out.split("\n\n") if "msgid " in b]
    return [b.strip() for b in blocks[1:]]


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext tools are not installed")
@pytest.mark.parametrize("flag", ["--only-fuzzy", "--untranslated"])
def test_every_vietnamese_message_is_translated_and_none_is_fuzzy(flag):
    assert _entries(flag) == []
