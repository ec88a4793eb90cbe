from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    name = "haven.entitlements"
    label = "entitlements"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine, who takes them, the child's page's link, and
        # what each pass of `haven sweep` proposes (Haven proposes, people decide).
        from haven.deadlines import jobs
        from haven.entitlements import clocks, indicators, proposals, selectors, tasks
        from haven.entitlements.services.payroll import payroll_open_due
        from haven.entitlements.services.schooling import instalments_sweep
        from haven.people import cases

        clocks.register()
        tasks.register()
        indicators.register_all()
        cases.register(selectors.allowance_of_child)
        jobs.register("allowance proposals", proposals.proposals_sweep)
        # A pupil's support decided: each semester that has begun is counted once, from its first day.
        jobs.register("pupils' support instalments", instalments_sweep)
        # From the first day of a month, next month's payrolls are opened: their list is due by the 24th.
        jobs.register("allowance payrolls opened", payroll_open_due)
