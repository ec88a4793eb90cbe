from django.conf import settings

from haven.access.docs import policy_table
from haven.access.policy import POLICY
from haven.accounts.models import Role


def test_docs_permissions_md_is_the_policy_table_written_out():
    doc = (settings.BASE_DIR / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert policy_table() in doc, "docs/permissions.md is stale: run `haven permissions --write`"


def test_every_role_has_an_entry_in_the_policy_table():
    assert set(POLICY) == set(Role)
