"""Violence suspected, the pregnancy, the risk factors and the needs, encrypted at rest (existing rows too)."""

import haven.core.fields
from django.db import migrations

from haven.core.migrating import BOOLEAN, DATE, JSON, encrypt_columns


class Migration(migrations.Migration):

    dependencies = [
        ('prevention', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='atriskperson',
            name='expected_delivery',
            field=haven.core.fields.EncryptedDateField(blank=True, null=True, verbose_name='expected date of delivery'),
        ),
        migrations.AlterField(
            model_name='atriskperson',
            name='needs',
            field=haven.core.fields.EncryptedJSONField(blank=True, default=dict, verbose_name='needs assessment'),
        ),
        migrations.AlterField(
            model_name='atriskperson',
            name='pregnant',
            field=haven.core.fields.EncryptedBooleanField(default=False, verbose_name='pregnant'),
        ),
        migrations.AlterField(
            model_name='atriskperson',
            name='risk_factors',
            field=haven.core.fields.EncryptedJSONField(blank=True, default=list, verbose_name='risk factors'),
        ),
        migrations.AlterField(
            model_name='atriskperson',
            name='suspected_violence',
            field=haven.core.fields.EncryptedBooleanField(default=False, verbose_name='violence is suspected'),
        ),
        encrypt_columns(
            'prevention',
            {
                'AtRiskPerson': {'suspected_violence': BOOLEAN, 'pregnant': BOOLEAN, 'expected_delivery': DATE, 'risk_factors': JSON, 'needs': JSON},
            },
        ),
    ]
