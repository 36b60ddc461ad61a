"""org: the selectors.

Org's reads: the grants every signed-in request resolves."""

from __future__ import annotations

from anchang.org import selectors
from anchang.org.models import Membership, Role, Team
from anchang.org.services import membership_grant
from tests.conftest import make_user


def _by_orm(user) -> list[tuple]:
    """What the plain statement must return, read through the ORM."""
    rows = Membership.objects.filter(user=user, is_active=True).select_related("project")
    return sorted(
        (m.pk, m.role, m.company_id, m.region_id, m.project_id, m.team_id,
         None if m.project is None else m.project.is_active,
         None if m.project is None else m.project.region_id)
        for m in rows
    )  # fmt: skip


def test_the_memberships_read_is_the_orms_on_every_kind_of_membership(world):
    user = make_user("多岗位")
    team = Team.objects.create(project=world.p1, name="一组")
    membership_grant(user=user, role=Role.CONSULTANT, company=world.company, project=world.p1,
                     team=team)  # fmt: skip
    membership_grant(user=user, role=Role.MANAGER, company=world.company, project=world.p3)
    membership_grant(user=user, role=Role.MARKETING, company=world.company, region=world.east)
    membership_grant(user=user, role=Role.AUDITOR, company=world.company)
    left = membership_grant(user=user, role=Role.CLERK, company=world.company, project=world.p2)
    Membership.objects.filter(pk=left.pk).update(is_active=False)  # left the project
    world.p3.is_active = False  # a closed project: its membership stays, its grant goes
    world.p3.save()
    make_user("旁人")  # another user's memberships are not read
    rows = sorted(tuple(row) for row in selectors._active_memberships(user.pk))
    assert rows == _by_orm(user) and len(rows) == 4
    assert all(isinstance(row[6], bool) for row in rows if row[6] is not None)
    grants = selectors.actor_grants(user)
    assert {g.role for g in grants} == {Role.CONSULTANT, Role.MARKETING, Role.AUDITOR}
    assert next(g for g in grants if g.role == Role.CONSULTANT).team_id == team.pk


def test_the_user_read_with_memberships_is_the_orms(world):
    """user_with_memberships (every page's signed-in user): the user's every field as the
    ORM reads it, and the same memberships as the plain memberships read, for users with
    none, one and many (one left, one in a closed project)."""
    from anchang.org.models import User

    user = make_user("多岗位二")
    team = Team.objects.create(project=world.p1, name="二组")
    membership_grant(user=user, role=Role.CONSULTANT, company=world.company, project=world.p1,
                     team=team)  # fmt: skip
    membership_grant(user=user, role=Role.MARKETING, company=world.company, region=world.east)
    left = membership_grant(user=user, role=Role.CLERK, company=world.company, project=world.p2)
    Membership.objects.filter(pk=left.pk).update(is_active=False)
    User.objects.filter(pk=user.pk).update(first_name="名<&>", is_staff=True)
    nobody = make_user("无岗位")
    for someone in [user, nobody, *User.objects.exclude(pk__in=[user.pk, nobody.pk])]:
        read = selectors.user_with_memberships(someone.pk)
        by_orm = User.objects.get(pk=someone.pk)
        for field in User._meta.concrete_fields:
            mine, theirs = getattr(read, field.attname), getattr(by_orm, field.attname)
            assert mine == theirs and type(mine) is type(theirs), (someone, field.name)
        assert not read._state.adding and read._state.db == by_orm._state.db
        memberships = sorted(tuple(m) for m in read._anchang_memberships_read)
        assert memberships == _by_orm(someone), someone
    assert selectors.user_with_memberships(10**12) is None


def test_grants_use_the_memberships_read_with_the_user_once(world, django_assert_num_queries):
    user = world.grant(make_user("一次读"), Role.CONSULTANT)
    read = selectors.user_with_memberships(user.pk)
    with django_assert_num_queries(0):
        assert {g.role for g in selectors.actor_grants(read)} == {Role.CONSULTANT}
    # A grant given during the request is seen once the grants are forgotten (re-read).
    membership_grant(user=read, role=Role.MANAGER, company=world.company, project=world.p3)
    selectors.forget_grants(read)
    with django_assert_num_queries(1):
        assert {g.role for g in selectors.actor_grants(read)} == {Role.CONSULTANT, Role.MANAGER}


def test_a_signed_in_page_reads_its_user_and_memberships_in_one_statement(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.grant(make_user("一页"), Role.CONSULTANT)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    membership_table = Membership._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if membership_table in q["sql"]]
    assert len(reads) == 1 and "org_user" in reads[0], reads
