"""The finder's, the reporter's and the witnesses' identities, encrypted at rest (existing rows too)."""

import haven.core.fields
from django.db import migrations

from haven.core.migrating import TEXT, encrypt_columns


class Migration(migrations.Migration):

    dependencies = [
        ('foundlings', '0007_record_from_the_report_pin_the_same_day'),
    ]

    operations = [
        migrations.AlterField(
            model_name='discoveryrecord',
            name='finder_address',
            field=haven.core.fields.EncryptedTextField(max_length=300, verbose_name="finder's residence"),
        ),
        migrations.AlterField(
            model_name='discoveryrecord',
            name='finder_id_document',
            field=haven.core.fields.EncryptedTextField(max_length=50, verbose_name="finder's identity document"),
        ),
        migrations.AlterField(
            model_name='discoveryrecord',
            name='finder_name',
            field=haven.core.fields.EncryptedTextField(max_length=150, verbose_name="finder's full name"),
        ),
        migrations.AlterField(
            model_name='discoveryrecord',
            name='witness_address',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=300, verbose_name="witness's residence"),
        ),
        migrations.AlterField(
            model_name='discoveryrecord',
            name='witness_id_document',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=50, verbose_name="witness's identity document"),
        ),
        migrations.AlterField(
            model_name='discoveryrecord',
            name='witness_name',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=150, verbose_name="witness's full name"),
        ),
        migrations.AlterField(
            model_name='discoveryrecord',
            name='witnesses',
            field=haven.core.fields.EncryptedTextField(blank=True, verbose_name='other witnesses'),
        ),
        migrations.AlterField(
            model_name='foundlingcase',
            name='finder_address',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=300, verbose_name="finder's residence"),
        ),
        migrations.AlterField(
            model_name='foundlingcase',
            name='finder_id_document',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=50, verbose_name="finder's identity document"),
        ),
        migrations.AlterField(
            model_name='foundlingcase',
            name='finder_name',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=150, verbose_name="finder's full name"),
        ),
        migrations.AlterField(
            model_name='foundlingcase',
            name='reporter_contact',
            field=haven.core.fields.EncryptedTextField(blank=True, max_length=30, verbose_name="reporter's phone"),
        ),
        encrypt_columns(
            'foundlings',
            {
                'FoundlingCase': {'reporter_contact': TEXT, 'finder_name': TEXT, 'finder_id_document': TEXT, 'finder_address': TEXT},
                'DiscoveryRecord': {'finder_name': TEXT, 'finder_id_document': TEXT, 'finder_address': TEXT, 'witness_name': TEXT, 'witness_id_document': TEXT, 'witness_address': TEXT, 'witnesses': TEXT},
            },
        ),
    ]
