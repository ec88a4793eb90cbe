"""A published line of the public ledger, a node of its tree and a signed checkpoint are never changed:
the database itself refuses (a correction is a new line).

PostgreSQL refuses UPDATE and DELETE of a row. SQLite refuses UPDATE; it keeps DELETE, because a test
database is emptied row by row between tests. A line removed anyway is found by the public's own check:
the log no longer extends the checkpoints already signed (a consistency proof fails).
"""

from django.db import migrations

TABLES = ("sponsorship_ledgerline", "sponsorship_ledgernode", "sponsorship_checkpoint")
MESSAGE = "a published ledger line is never changed: publish a correction as a new line"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION sponsorship_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sponsorship_refuse_change()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sponsorship_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("sponsorship", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
