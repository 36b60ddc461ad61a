"""Every page of the Django admin opens: each registered ModelAdmin's list, add page and the
change page of a real object, as a superuser. The list of admins is read from the admin
site, so a model registered later is walked too (and must have an object made below)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.org.models import Team, User
from anchang.org.services import staff_create
from tests.conftest import PASSWORD


@pytest.fixture
def objects(world):
    """One object of every registered model, made the way production makes it."""
    Team.objects.create(project=world.p1, name="一组")
    Group.objects.create(name="组")
    admin_user = staff_create(username="root", name="管理员", password=PASSWORD)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    audit_record(action=AuditEntry.Action.PASSWORD_CHANGED, actor=admin_user)
    # axes' records (its own tables: a failed log-in's trace, kept or reset by settings)
    seen = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": "root",
        "http_accept": "*/*",
        "path_info": "/login/",
        "attempt_time": timezone.now(),
    }
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**seen, locked_out=False)
    AccessLog.objects.create(**seen)
    _deals(world)
    _reception(world)
    _care(world)
    return admin_user


def _deals(world):
    """A deal of each kind of record deals keeps, through the services."""
    from anchang.deals import services
    from anchang.deals.models import Deal, Dispatch
    from tests.deals.helpers import building, office, subscribe

    o = office(world)
    unit = building(o).units.order_by("pk").first()
    deal = subscribe(world, o, unit, price=str(unit.standard_price * 0.9 / 100), method="full")
    services.receipt_record(actor=o.clerk, deal=deal, amount="1000", method="pos", voucher="A1")
    services.forms_receive(actor=o.clerk, project=o.project, prefix="F", first=1, count=1)
    store = office(world, "p2")
    services.designer_profile_set(actor=store.manager, project=store.project, user=store.designer)
    subscribe(world, store, None, method="full", deposit="2000")
    assert Deal.objects.exists() and Dispatch.objects.exists()


def _reception(world):
    """A roster entry, a turn and a skip, through the services."""
    from anchang.assignment.reception import services
    from tests.assignment.helpers import reception

    r = reception(world)
    r.sign_in()
    services.turn_skip(actor=r.desk, project=r.project, consultant=r.consultants[0])
    r.walk_in(visitor="王先生")
    from anchang.assignment.channels import services as channels
    from tests.assignment.channels.test_services import channel
    from tests.conftest import next_phone
    from tests.deals.helpers import Office

    o = Office(r.project, *r.consultants[:2], r.manager, r.desk)
    _company, (agent,) = channel(world, o)
    channels.report_submit(actor=agent, name="渠道客户", phone=next_phone())
    from anchang.assignment.imports import services as imports

    data = f"姓名,电话,性别,认知途径\n导入客户,{next_phone()},男,{r.project.media.first().name}\n"
    imports.import_upload(actor=r.desk, project=r.project, kind="customers",
                          file_name="名单.csv", data=data.encode())  # fmt: skip


def _care(world):
    """A template, a consent and a message, through the services."""
    from anchang.care.services import message_queue
    from tests.care.helpers import care_office

    c = care_office(world, "p3")
    message_queue(actor=c.consultant, customer=c.customer, template=c.service,
                  params={"date": "周六"})  # fmt: skip


def _admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [m for m, _a in _admins()], ids=lambda m: m._meta.label)
def test_every_admin_page_opens(objects, client, model):
    client.force_login(objects)
    model_admin = admin.site._registry[model]
    assert client.get(_url(model, "changelist")).status_code == 200
    add = client.get(_url(model, "add"))
    request = add.wsgi_request
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"make a {model._meta.label} in the objects fixture"
    change = client.get(_url(model, "change", obj.pk))
    assert change.status_code == 200, change.status_code
    assert client.get(_url(model, "history", obj.pk)).status_code == 200


def test_user_admin_password_page_opens(objects, client, world):
    client.force_login(objects)
    user = world.consultants["p1"][0]
    url = reverse("admin:auth_user_password_change", args=[user.pk]).replace(
        "/auth/user/", "/org/user/"
    )
    assert client.get(url).status_code == 200


def test_staff_are_added_through_the_admin(objects, client):
    """The add page does not just open: a new staff member is saved from it."""
    client.force_login(objects)
    data = {
        "username": "new-staff",
        "password1": "a-long-Passw0rd-2026",
        "password2": "a-long-Passw0rd-2026",
        "usable_password": "true",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:org_user_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(username="new-staff").exists()
