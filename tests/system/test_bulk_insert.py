"""anchang.bulk.insert_rows writes what save() would: every column prepared by its field
when it is not a plain value (dates, JSON, decimals, auto_now), ids set in row order, keys
of objects saved just before; on the run's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from anchang.bulk import Maker, insert_history, insert_rows, update_rows
from anchang.customers.models import Customer, CustomerPhone
from tests.conftest import next_phone


def test_rows_read_back_as_saved_ones_do(world):
    project, owner = world.p1, world.consultants["p1"][0]
    now = timezone.now()
    made = [
        Customer(project=project, owner=owner if i % 2 else None, name=f"批量{i}", gender="f",
                 phone="+86" + next_phone(), created_by=owner, birthday=date(1990, 1, 1 + i),
                 grade_checks={"budget": True, "i": i}, budget_max=300 + i,
                 last_contact_at=now - timedelta(days=i), name_pinyin="pl", name_initials="p",
                 phone_last4="0000")
        for i in range(5)
    ]  # fmt: skip
    insert_rows(Customer, made)
    assert [c.pk for c in made] == sorted(c.pk for c in made)  # ids in row order
    insert_rows(CustomerPhone, [CustomerPhone(project=project, customer=c, phone=c.phone)
                                for c in made])  # fmt: skip
    for i, c in enumerate(made):
        back = Customer.objects.get(pk=c.pk)
        assert (back.name, back.owner_id, back.birthday) == (
            c.name,
            c.owner_id,
            date(1990, 1, 1 + i),
        )
        assert back.grade_checks == {"budget": True, "i": i} and back.budget_max == 300 + i
        assert back.last_contact_at == now - timedelta(days=i)
        assert back.created_at is not None and back.updated_at is not None  # auto_now(_add)
        assert back.phones.get().phone == c.phone


def _inserted(project, owner, names: list[str], n: int = 0) -> list[Customer]:
    """Customers with a date, JSON and a number set, inserted by insert_rows (the n-th of a
    series: its values differ from the others')."""
    made = [
        Customer(project=project, owner=owner, name=name, gender="f",
                 phone="+86" + next_phone(), created_by=owner, birthday=date(1991, 3, 1 + n),
                 grade_checks={"i": n}, budget_max=10 + n, name_pinyin="gx",
                 name_initials="g", phone_last4="0000")
        for name in names
    ]  # fmt: skip
    insert_rows(Customer, made)
    return made


def test_history_rows_are_those_a_save_writes(world):
    """insert_history against simple_history's own row for a save() of the same record:
    every tracked column alike (the database copies them), with the when, who and why."""
    project, owner = world.p1, world.consultants["p1"][0]
    made = _inserted(project, owner, [f"历史{i}" for i in range(3)])
    when = timezone.now() - timedelta(minutes=3)
    insert_history(Customer, [c.pk for c in made], when=when, user_id=owner.pk,
                   reason="导入 #1 " + "长" * 200)  # fmt: skip
    saved = Customer.objects.get(pk=made[0].pk)
    saved._history_user, saved._change_reason = owner, "save"
    saved.save()  # simple_history's own "~" row of the same values (bar updated_at)
    history = Customer.history.model
    tracked = [f.attname for f in history.tracked_fields if f.attname != "updated_at"]
    ours = history.objects.filter(id=made[0].pk, history_type="+").get()
    theirs = history.objects.filter(id=made[0].pk, history_type="~").get()
    assert {n: getattr(ours, n) for n in tracked} == {n: getattr(theirs, n) for n in tracked}
    for c in made:
        row = history.objects.get(id=c.pk, history_type="+")
        assert (row.history_date, row.history_user_id) == (when, owner.pk)
        assert row.history_change_reason.startswith("导入 #1") and row.name == c.name
    assert history.objects.filter(id__in=[c.pk for c in made]).count() == 4


def test_updated_rows_read_back_as_saved_ones_do(world):
    """update_rows against save(): each of two like records changed alike, one saved, one
    written in bulk; every column reads back the same (bar the ids and the save's time)."""
    project, owner = world.p1, world.consultants["p1"][0]
    pairs = []
    for i in range(4):
        pairs.append(_inserted(project, owner, [f"更新{i}"] * 2, n=i))
    now = timezone.now()
    for i, twins in enumerate(pairs):
        for c in twins:  # values to NULL, NULL to values, JSON, dates, counts, a key
            c.owner, c.birthday, c.budget_max = (None if i % 2 else owner), None, None
            c.grade_checks = {"budget": True, "i": -i}
            c.last_contact_at, c.next_follow_up_on = now - timedelta(hours=i), date(2027, 1, 1 + i)
            c.visit_count, c.name, c.version = 3 + i, f"改名{i}", c.version + 1
    for saved, _bulk in pairs:
        saved.save()
    before = Customer.objects.get(pk=pairs[0][1].pk).updated_at
    update_rows(Customer, [bulk for _saved, bulk in pairs])
    skip = {"id", "phone", "phone_last4", "updated_at", "created_at"}
    names = [f.attname for f in Customer._meta.concrete_fields if f.attname not in skip]
    for saved, bulk in pairs:
        a, b = Customer.objects.get(pk=saved.pk), Customer.objects.get(pk=bulk.pk)
        assert {n: getattr(a, n) for n in names} == {n: getattr(b, n) for n in names}
        assert b.updated_at >= before and b.created_at == bulk.created_at  # auto_now(_add)
    untouched = Customer.objects.exclude(pk__in=[c.pk for t in pairs for c in t])
    assert not untouched.filter(name__startswith="改名").exists()


def test_maker_builds_what_the_keyword_init_builds_for_every_model():
    """bulk.Maker against `Model(**values)`, for every model of the project: the same value
    in every column, a default made fresh each time (a dict) never shared between two."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy or not model.__module__.startswith("anchang"):
            continue
        make = Maker(model)
        a, b, c = model(), make(), make()
        for field in model._meta.concrete_fields:
            ours, theirs = getattr(b, field.attname), getattr(a, field.attname)
            if field.has_default() and callable(field.default):
                assert type(ours) is type(theirs), (model, field.name)
                if isinstance(ours, (dict, list)):
                    assert ours is not getattr(c, field.attname), (model, field.name)
            else:
                assert ours == theirs, (model, field.name)
        assert b._state.adding and b.pk == a.pk


def test_maker_sets_keys_and_related_objects_as_the_init_does(world):
    project, owner = world.p1, world.consultants["p1"][0]
    values = dict(project=project, owner=owner, name="构造", gender="m", phone="+8613900000000",
                  created_by=owner, budget_max=5)  # fmt: skip
    a, b = Customer(**values), Maker(Customer)(**values)
    names = [f.attname for f in Customer._meta.concrete_fields]
    assert {n: getattr(a, n) for n in names} == {n: getattr(b, n) for n in names}
    assert b.project is project and b.owner is owner  # cached: no query to read them
