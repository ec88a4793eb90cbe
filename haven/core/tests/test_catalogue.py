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


def test_django_s_own_form_messages_read_naturally_in_vietnamese():
    """Walkthrough D20: "Đảm bảo giá trị này lớn hơn hoặc bằng với 0 ." (a stray space), "Nhập một số
    tổng thể." for a whole number, "Null characters are not allowed." left in English."""
    from django import forms
    from django.utils import translation

    class F(forms.Form):
        days = forms.IntegerField(min_value=0, max_value=6000)
        note = forms.CharField(max_length=5)
        when = forms.DateField()
        kind = forms.ChoiceField(choices=[("a", "A")])

    with translation.override("vi"):
        cases = {
            "-1": "Giá trị này phải lớn hơn hoặc bằng 0.",
            "7000": "Giá trị này phải nhỏ hơn hoặc bằng 6000.",
            "1.5": "Hãy nhập một số nguyên.",
        }
        for value, message in cases.items():
            assert F({"days": value}).errors["days"] == [message], value
        errors = F({"days": "1", "note": "x\x00", "when": "31/02/2026", "kind": "z"}).errors
        assert errors["note"] == ["Nội dung chứa ký tự không hợp lệ."]
        assert errors["when"] == ["Hãy nhập ngày theo dạng dd/mm/yyyy."]
        assert errors["kind"] == ["“z” không có trong danh sách: hãy chọn một mục trong danh sách."]
        assert F({"days": "1", "note": "123456"}).errors["note"] == ["Tối đa 5 ký tự (hiện có 6)."]
        for messages in (cases.values(), *F({}).errors.values()):
            for message in messages:
                assert " ." not in message and "  " not in message
