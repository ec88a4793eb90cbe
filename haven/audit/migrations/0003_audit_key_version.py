"""Each event names the version of HAVEN_AUDIT_KEY that signed it; every event so far was version 1.

SQLite adds the column by rebuilding the table, which drops its triggers: they are made again, after the
column is added and after it is removed."""

from django.db import migrations, models

SQLITE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]


def append_only_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, append_only_again),
        migrations.AddField(
            model_name="auditevent",
            name="key_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunPython(append_only_again, migrations.RunPython.noop),
    ]
