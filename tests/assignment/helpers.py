"""Plain helpers of the reception tests: a project's desk and its consultants, signed in
through the real services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from anchang.assignment.reception import services
from anchang.org.models import Project, Role, User
from anchang.org.services import membership_grant
from tests.conftest import World, make_user


@dataclass
class Reception:
    project: Project
    desk: User  # the clerk at the front desk
    manager: User
    consultants: list[User] = field(default_factory=list)

    def sign_in(self, *people: User, now: datetime | None = None) -> None:
        for user in people or self.consultants:
            services.duty_sign_in(actor=user, project=self.project, consultant=user, now=now)

    def walk_in(self, now: datetime | None = None, **kw):
        return services.walk_in_take(actor=self.desk, project=self.project, now=now, **kw)


def reception(world: World, code: str = "p1", extra: int = 1) -> Reception:
    """The project's desk (a clerk), its manager and its consultants: the world's two plus
    `extra` more."""
    project = getattr(world, code)
    desk = make_user(f"{code}-desk", f"{project.name}前台")
    membership_grant(user=desk, role=Role.CLERK, company=world.company, project=project)
    manager = make_user(f"{code}-rmanager", f"{project.name}经理")
    membership_grant(user=manager, role=Role.MANAGER, company=world.company, project=project)
    people = list(world.consultants[code])
    for i in range(extra):
        user = make_user(f"{code}-rc{i}", f"{project.name}顾问{i + 3}")
        membership_grant(user=user, role=Role.CONSULTANT, company=world.company, project=project)
        people.append(user)
    return Reception(project, desk, manager, people)
