"""Open revisit tasks now belong to their customer's current owner (owner_set keeps them
so); bring tasks whose customer changed hands before this in line."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    RevisitTask = apps.get_model("followups", "RevisitTask")
    Customer = apps.get_model("customers", "Customer")
    owner = Customer.objects.filter(pk=OuterRef("customer_id")).values("owner_id")[:1]
    RevisitTask.objects.filter(status="open").update(owner=Subquery(owner))


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0004_review_queue_index"),
        ("customers", "0009_board_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
