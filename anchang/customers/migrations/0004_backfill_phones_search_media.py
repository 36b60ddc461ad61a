"""Existing customers get their phone index rows and search keys; existing projects get the
default awareness-media catalogue. Reversible: the reverse leaves the rows (harmless)."""

from django.db import migrations

DEFAULT_MEDIA = [
    ("户外广告", "billboard"),
    ("报纸", "newspaper"),
    ("网络广告", "online"),
    ("路过", "passing_by"),
    ("朋友介绍/老带新", "referral"),
    ("渠道/中介", "channel"),
    ("活动", "event"),
    ("其他", "other"),
]


def forwards(apps, schema_editor):
    from anchang.customers.search import name_keys  # pure function, no model state

    Customer = apps.get_model("customers", "Customer")
    CustomerPhone = apps.get_model("customers", "CustomerPhone")
    Medium = apps.get_model("customers", "Medium")
    Project = apps.get_model("org", "Project")
    for project in Project.objects.all():
        if not Medium.objects.filter(project=project).exists():
            Medium.objects.bulk_create(
                Medium(project=project, name=name, kind=kind, sort_order=(i + 1) * 10)
                for i, (name, kind) in enumerate(DEFAULT_MEDIA)
            )
    for customer in Customer.objects.all().iterator(chunk_size=1000):
        customer.name_pinyin, customer.name_initials = name_keys(customer.name)
        customer.phone_last4 = customer.phone[-4:]
        customer.save(update_fields=["name_pinyin", "name_initials", "phone_last4"])
        CustomerPhone.objects.get_or_create(
            project_id=customer.project_id, phone=customer.phone,
            defaults={"customer": customer, "slot": 1},
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_intake_profile")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
