"""The follow-up schedule of the prevention work as data (vietnam-process.md §9c; all [R]).

The clocks themselves are rules of the one deadline engine (prevention/clocks.py, ``prevention.*``); this
module only says which clock runs next and from when.
"""

from __future__ import annotations

import datetime as dt

from haven.core import clock

# §9c [R]: postnatal home visits at weeks 1, 2 and 4, then monthly until 6 months (days after birth).
POSTNATAL_VISIT_DAYS = (7, 14, 28, 58, 88, 118, 148, 178)
# §9c [R]: weekly contact in the last month of pregnancy.
LAST_MONTH = dt.timedelta(days=30)
MONTHLY = dt.timedelta(days=30)
# §9c [R]: "family stable at 6–12 months": a case closes as stable from 6 months after the birth.
STABLE_AFTER = dt.timedelta(days=182)
# The most people one collaborator follows before the commune is told she has too many ([R], design:
# the Women's Union guidance for collaborators is a few households per residential group; Haven's
# default, a commune may plan differently).
CASELOAD_LIMIT = 15
# Newborn papers within 60 days (Law on Civil Status 2014 art. 15; rule prevention.newborn_papers).
PAPERS_WITHIN = dt.timedelta(days=60)


def pregnancy_rule(last_contact: dt.datetime, expected_delivery: dt.date | None) -> str:
    """Monthly contact, or weekly once the next monthly contact would fall in the last month."""
    if expected_delivery is not None:
        next_monthly = clock.localdate(last_contact + MONTHLY)
        if next_monthly > expected_delivery - LAST_MONTH:
            return "prevention.contact_weekly"
    return "prevention.contact_monthly"


def postnatal_due(birth: dt.date, visited_on: dt.date) -> dt.date | None:
    """The day the next postnatal visit is due after a visit on ``visited_on`` (or the birth itself).

    A visit counts for the scheduled visit whose day it falls on or before (a visit on day 5 is the
    week-1 visit; one on day 40, late, stands for the day-58 visit), so the next is the one after.
    None when the six months of visits are done."""
    day = (visited_on - birth).days
    if visited_on == birth:
        return birth + dt.timedelta(days=POSTNATAL_VISIT_DAYS[0])
    later = [d for d in POSTNATAL_VISIT_DAYS if d >= day]
    if len(later) < 2:
        return None
    return birth + dt.timedelta(days=later[1])
