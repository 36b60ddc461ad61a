"""Plain helpers of the deals tests: staff per project and a sold-ready catalogue, built
through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from anchang.deals import services
from anchang.deals.models import Building, Unit
from anchang.org.models import Project, Role, User
from anchang.org.services import membership_grant
from tests.conftest import World, make_user


@dataclass
class Office:
    project: Project
    consultant: User
    colleague: User
    manager: User
    clerk: User
    designer: User | None = None


def office(world: World, code: str = "p1") -> Office:
    project = getattr(world, code)
    staff = {}
    for role in ("manager", "clerk", "designer"):
        user = make_user(f"{code}-{role}", f"{project.name}{role}")
        membership_grant(user=user, role=role, company=world.company, project=project)
        staff[role] = user
    consultant, colleague = world.consultants[code]
    return Office(project, consultant, colleague, staff["manager"], staff["clerk"],
                  staff["designer"])  # fmt: skip


def building(o: Office, name: str = "1", floors: int = 3, per_floor: int = 2) -> Building:
    return services.building_create(
        actor=o.manager, project=o.project, name=name, floors=floors, units_per_floor=per_floor,
        price_per_m2="20000", gross_area="100", layout="3室2厅",
    )  # fmt: skip


def vehicle(o: Office, code: str = "S001", price: str = "200000") -> Unit:
    return services.unit_create(
        actor=o.manager, project=o.project, kind="vehicle", code=code, standard_price=price,
        floor_price="190000", model_name="Model A", trim="豪华版", colour="白",
    )  # fmt: skip


def subscribe(world: World, o: Office, unit: Unit | None, *, price: str | None = None,
              method: str = "mortgage", deposit: str = "50000", **kw):  # fmt: skip
    customer = kw.pop("customer", None) or world.customer(o.project, o.consultant, "买家")
    price = price or (str(unit.standard_price / 100) if unit else "100000")
    loan = {"bank": "建设银行", "loan_amount": str(int(float(price) * 0.6)), "loan_years": 30}
    data = services.DealInput(
        deal_price=price, payment_method=method, deposit=deposit,
        **(loan if method in ("mortgage", "provident", "combined") else {}), **kw,
    )  # fmt: skip
    return services.deal_subscribe(actor=o.consultant, customer=customer, unit=unit, data=data)


ROLES = Role
