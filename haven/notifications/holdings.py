"""An organisation's unread messages (accounts/holdings.py) follow the organisation that takes over
its work, so that a request to accept a child is not left in a closed inbox."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from haven.accounts.holdings import Holding, declare
from haven.notifications.models import Notification


def _unread(organisation):
    return Notification.objects.filter(organisation=organisation, read_at__isnull=True)


declare(
    Holding(
        "notifications.unread",
        _("unread messages"),
        count=lambda o: _unread(o).count(),
        move=lambda o, t: _unread(o).update(organisation=t.successor),
        needs_successor=False,
    ),
)
