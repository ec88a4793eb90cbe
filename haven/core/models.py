"""Shared model bases."""

from django.db import models

from haven.core import clock


class ClockStampedField(models.DateTimeField):
    """A ``DateTimeField`` whose ``auto_now``/``auto_now_add`` stamp comes from the one clock, not from
    Django's own ``timezone.now()``: a record made after a demo moved the clock is dated with the
    rest of that demo's steps."""

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return getattr(model_instance, self.attname)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Where the stamp comes from is not part of the schema: migrations see a plain DateTimeField.
        return name, "django.db.models.DateTimeField", args, kwargs


class TimeStamped(models.Model):
    created_at = ClockStampedField(auto_now_add=True)
    updated_at = ClockStampedField(auto_now=True)

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
