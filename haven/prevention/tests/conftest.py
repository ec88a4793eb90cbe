from __future__ import annotations

import pytest

from haven.prevention import services
from haven.prevention.models import Village


@pytest.fixture
def village(world):
    """Thôn Đông of commune A, covered by the persona collaborator."""
    v = Village.objects.create(commune=world.commune_a, name="Thôn Đông")
    services.coverage_assign(actor=world.officer_a, collaborator=world.collaborator_a, village=v)
    return v
