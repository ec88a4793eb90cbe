"""What happened to the child, the family, the flags and the assessment forms, encrypted at rest
(existing rows too)."""

import haven.core.fields
from django.db import migrations

from haven.core.migrating import JSON, TEXT, encrypt_columns


class Migration(migrations.Migration):

    dependencies = [
        ('protection', '0006_clocks_from_the_report_and_the_plan'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assessment',
            name='data',
            field=haven.core.fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='actions_taken',
            field=haven.core.fields.EncryptedTextField(blank=True, verbose_name='actions already taken'),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='caregiver',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=300, verbose_name='current caregiver'),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='condition',
            field=haven.core.fields.EncryptedTextField(verbose_name="the child's current condition"),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='flags',
            field=haven.core.fields.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='likely_harm',
            field=haven.core.fields.EncryptedTextField(verbose_name='likely harm without help'),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='parents',
            field=haven.core.fields.EncryptedTextField(blank=True, verbose_name='parents (names, ages, occupations)'),
        ),
        encrypt_columns(
            'protection',
            {
                'ProtectionCase': {'condition': TEXT, 'likely_harm': TEXT, 'parents': TEXT, 'caregiver': TEXT, 'actions_taken': TEXT, 'flags': JSON},
                'Assessment': {'data': JSON},
            },
        ),
    ]
