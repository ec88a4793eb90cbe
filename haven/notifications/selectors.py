from __future__ import annotations

from django.db.models import QuerySet

from haven.access.scoping import memberships
from haven.accounts.models import User
from haven.notifications.models import Notification


def inbox_for(*, user: User, limit: int = 100) -> QuerySet[Notification]:
    """Messages to the user's organisations (every member sees them) or to the user."""
    organisations = {m.organisation_id for m in memberships(user)}
    return (
        Notification.objects.filter(organisation_id__in=organisations)
        .select_related("organisation")
        .order_by("-created_at")[:limit]
    )
