"""Reference data: the 34 provinces and 3,321 communes, from the vietnam-provinces package."""

from django.db import migrations


def load(apps, schema_editor):
    from haven.areas.services import areas_load

    areas_load(apps.get_model("areas", "Area"))


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
