"""The child's own words and the evidence of a circumstance, encrypted at rest (existing rows too)."""

import haven.core.fields
from django.db import migrations

from haven.core.migrating import TEXT, encrypt_columns


class Migration(migrations.Migration):

    dependencies = [
        # Found children get an evidenced circumstance from a data migration: it writes clear text.
        ('foundlings', '0005_found_children_are_abandoned'),
        ('people', '0005_circumstance_half_open'),
    ]

    operations = [
        migrations.AlterField(
            model_name='childopinion',
            name='opinion',
            field=haven.core.fields.EncryptedTextField(verbose_name='what the child said'),
        ),
        migrations.AlterField(
            model_name='historicalchildopinion',
            name='opinion',
            field=haven.core.fields.EncryptedTextField(verbose_name='what the child said'),
        ),
        migrations.AlterField(
            model_name='historicalspecialcircumstance',
            name='evidence',
            field=haven.core.fields.EncryptedTextField(verbose_name='evidence'),
        ),
        migrations.AlterField(
            model_name='specialcircumstance',
            name='evidence',
            field=haven.core.fields.EncryptedTextField(verbose_name='evidence'),
        ),
        encrypt_columns(
            'people',
            {
                'ChildOpinion': {'opinion': TEXT},
                'HistoricalChildOpinion': {'opinion': TEXT},
                'SpecialCircumstance': {'evidence': TEXT},
                'HistoricalSpecialCircumstance': {'evidence': TEXT},
            },
        ),
    ]
