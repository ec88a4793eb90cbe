import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """The tests read the messages in English; the command speaks Vietnamese by default."""
    with translation.override("en"):
        yield
