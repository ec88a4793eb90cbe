from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "haven.education"
    label = "education"

    def ready(self) -> None:
        # The app's clocks on the one deadline engine and who takes them; the child's page's link;
        # care tells education of every new placement (continuity); each sweep pass meets the papers
        # obligations of children who now have a PIN; the figures for the indicator registry.
        from haven.care import moves
        from haven.deadlines import jobs
        from haven.education import clocks, continuity, indicators, labels, selectors, tasks
        from haven.education.services.enrolments import papers_sweep
        from haven.people import cases

        clocks.register()
        tasks.register()
        cases.register(selectors.school_of_child)
        moves.register(continuity.placement_began)
        jobs.register("school papers", papers_sweep)
        indicators.register_all()
        labels.register()
