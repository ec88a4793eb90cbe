"""Shared model bases."""

from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ClockOffset(models.Model):
    """How far the demo/test clock is moved ahead of real time (one row; never used in production)."""

    seconds = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"+{self.seconds}s"


class CalendarException(models.Model):
    """An official change to the working-day calendar that the `holidays` package does not know:
    an extra day off, or a Saturday made a working day, by decision of the Prime Minister."""

    date = models.DateField(unique=True)
    is_working_day = models.BooleanField()
    name = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
