from haven.access.middleware import second_factor_missing, second_factor_pending
from haven.access.policy import Verb
from haven.access.scoping import can, memberships


def haven(request) -> dict:
    """What the layout needs: the user's roles and which menu entries they may follow."""
    user = request.user
    if not user.is_authenticated:
        return {}
    if second_factor_pending(user) or second_factor_missing(user):
        # Between the password and the second factor: no menu, whose pages would all send them back.
        return {"signing_in": True}
    return {
        "my_memberships": memberships(user),
        "nav_children": can(user, Verb.CHILD_VIEW),
        "nav_aggregates": can(user, Verb.AGGREGATE_VIEW),
        "nav_prevention": can(user, Verb.PREVENTION_VIEW),
        "nav_linkage": can(user, Verb.LINKAGE_REVIEW),
        "nav_sponsorship": can(user, Verb.SPONSORSHIP_OFFER),
        "nav_education": can(user, Verb.EDUCATION_VIEW),
        "nav_complaints": can(user, Verb.COMPLAINT_HANDLE),
        # Printed papers (PDF) are exports: offered only to those who may export a child's data.
        "may_export": can(user, Verb.CHILD_EXPORT),
    }
