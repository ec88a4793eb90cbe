"""Care's state changes become tables on the one workflow engine (care/workflow/): the family's
``status`` becomes its ``state`` (with "care ended"), a placement and a Form 16 decision gain a state,
and each gains a timeline. Existing rows take the state today's fields say they are in."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_states(apps, schema_editor):
    Placement = apps.get_model("care", "Placement")
    CareFamily = apps.get_model("care", "CareFamily")
    # A placement is ended when it has an end date; otherwise where its small group (or none) says.
    Placement.objects.filter(ended_on__isnull=False).update(state="ended")
    Placement.objects.filter(ended_on__isnull=True, group__isnull=True).update(state="in_family")
    Placement.objects.filter(ended_on__isnull=True, group__isnull=False).update(state="in_facility")
    # A family that took a child and cares for none any more: its care ended (Form 16, or childhood).
    caring = Placement.objects.filter(ended_on__isnull=True, family__isnull=False).values("family_id")
    CareFamily.objects.filter(state="handed_over").exclude(pk__in=caring).update(state="ended")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('care', '0009_smallgroup_age_band'),
        ('people', '0003_child_merged_into_historicalchild_merged_into'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DecisionStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('action', models.CharField(max_length=40)),
                ('from_state', models.CharField(blank=True, max_length=20)),
                ('to_state', models.CharField(blank=True, max_length=20)),
                ('at', models.DateTimeField()),
                ('note', models.TextField(blank=True)),
                ('due_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='FamilyStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('action', models.CharField(max_length=40)),
                ('from_state', models.CharField(blank=True, max_length=20)),
                ('to_state', models.CharField(blank=True, max_length=20)),
                ('at', models.DateTimeField()),
                ('note', models.TextField(blank=True)),
                ('due_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PlacementStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('action', models.CharField(max_length=40)),
                ('from_state', models.CharField(blank=True, max_length=20)),
                ('to_state', models.CharField(blank=True, max_length=20)),
                ('at', models.DateTimeField()),
                ('note', models.TextField(blank=True)),
                ('due_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.RenameField(model_name='carefamily', old_name='status', new_name='state'),
        migrations.AddField(
            model_name='carechangedecision',
            name='state',
            field=models.CharField(choices=[('in_effect', 'In effect')], default='in_effect', max_length=12, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='carefamily',
            name='state',
            field=models.CharField(choices=[('registered', 'Registered'), ('verified', 'Verified (Form 11)'), ('not_eligible', 'Not eligible'), ('chosen', 'Chosen by the chairman (Form 12)'), ('handed_over', 'Child handed over'), ('ended', 'Care ended'), ('removed', 'Removed from the register')], default='registered', max_length=12, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='placement',
            name='state',
            field=models.CharField(choices=[('in_facility', 'In a facility'), ('in_family', 'In a family'), ('ended', 'Ended')], default='in_facility', max_length=12, verbose_name='state'),
        ),
        migrations.RunPython(fill_states, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='placement',
            constraint=models.CheckConstraint(condition=models.Q(('state', 'ended'), models.Q(('group__isnull', False), ('state', 'in_facility')), models.Q(('group__isnull', True), ('state', 'in_family')), _connector='OR'), name='placement_state_matches_group'),
        ),
        migrations.AddField(
            model_name='decisionstep',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='decisionstep',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='care.carechangedecision'),
        ),
        migrations.AddField(
            model_name='decisionstep',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation'),
        ),
        migrations.AddField(
            model_name='familystep',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='familystep',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='care.carefamily'),
        ),
        migrations.AddField(
            model_name='familystep',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation'),
        ),
        migrations.AddField(
            model_name='placementstep',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='placementstep',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='care.placement'),
        ),
        migrations.AddField(
            model_name='placementstep',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation'),
        ),
    ]
