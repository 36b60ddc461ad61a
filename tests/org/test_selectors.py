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
