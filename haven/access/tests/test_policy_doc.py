from django.conf import settings

from haven.access.docs import policy_table
from haven.access.policy import POLICY
from haven.accounts.models import Role
from haven.workflow.docs import all_workflows, workflow_tables


def test_docs_permissions_md_is_the_policy_table_written_out():
    doc = (settings.BASE_DIR / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert policy_table() in doc, "docs/permissions.md is stale: run `haven permissions --write`"


def test_every_role_has_an_entry_in_the_policy_table():
    assert set(POLICY) == set(Role)


def test_docs_permissions_md_carries_every_workflow_table_written_out():
    doc = (settings.BASE_DIR / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert workflow_tables() in doc, "docs/permissions.md is stale: run `haven permissions --write`"


def test_every_workflow_step_has_a_title_for_the_page_and_the_document():
    untitled = [f"{w.name}.{a}" for w in all_workflows() for a, row in w.transitions.items() if not row.title]
    assert untitled == []
