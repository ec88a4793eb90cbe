import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from haven.access.docs import BEGIN, END, policy_table
from haven.workflow import docs as workflow_docs

DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"
WORKFLOW_INTRO = (
    "A verb says which children a person may touch; a workflow row says who takes a step on them. "
    "Every step of every pathway goes through the one engine (`haven/workflow`): the person needs "
    "`child.view` on the child (or the subject's own verb) and one of the row's roles, and the step "
    "must be open from the subject's state. The tables below are the rows written out."
)


class Command(BaseCommand):
    help = "Print the policy table and every workflow table, or --write them into docs/permissions.md."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write: bool, **options) -> None:
        table, steps = policy_table(), workflow_docs.workflow_tables()
        if not write:
            self.stdout.write(table + "\n\n" + steps)
            return
        text = DOC.read_text(encoding="utf-8")
        for begin, end, generated in ((BEGIN, END, table), (workflow_docs.BEGIN, workflow_docs.END, steps)):
            pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
            if pattern.search(text):
                text = pattern.sub(lambda _, generated=generated: generated, text)
            else:
                text = (
                    text.rstrip() + "\n\n## Workflow steps\n\n" + WORKFLOW_INTRO + "\n\n" + generated + "\n"
                )
        DOC.write_text(text, encoding="utf-8")
        self.stdout.write(f"updated {DOC}")
