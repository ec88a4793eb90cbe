from haven.access.policy import Verb
from haven.access.scoping import can, memberships


def haven(request) -> dict:
    """What the layout needs: the user's roles and which menu entries they may follow."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships(user),
        "nav_children": can(user, Verb.CHILD_VIEW),
        "nav_aggregates": can(user, Verb.AGGREGATE_VIEW),
        "nav_prevention": can(user, Verb.PREVENTION_VIEW),
        "nav_linkage": can(user, Verb.LINKAGE_REVIEW),
        # Printed papers (PDF) are exports: offered only to those who may export a child's data.
        "may_export": can(user, Verb.CHILD_EXPORT),
    }
