"""A length of time is written as a reader says it, in the reader's language (never "1 hours" or
Python's "2 days, 3:00:00")."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from haven.core.durations import spoken


def test_a_length_of_time_reads_in_vietnamese():
    with translation.override("vi"):
        assert spoken(dt.timedelta(days=2, hours=3, minutes=5)) == "2 ngày 3 giờ"
        assert spoken(dt.timedelta(hours=1, minutes=30)) == "1 giờ 30 phút"
        assert spoken(dt.timedelta(seconds=20)) == "chưa đến một phút"


def test_a_length_of_time_reads_in_english_with_plurals_right():
    with translation.override("en"):
        assert spoken(dt.timedelta(hours=1)) == "1 hour"
        assert spoken(dt.timedelta(days=1, hours=2)) == "1 day 2 hours"
        assert spoken(dt.timedelta(days=126 * 365)) == "45990 days"
