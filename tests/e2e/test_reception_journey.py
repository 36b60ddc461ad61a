"""Reception in the browser: on the desk's tablet, three visitors in a row: a returning
customer whose consultant is on duty goes to them; one whose consultant is out gets a stand-in
who keeps their turn; the desk skips a consultant who does not come and the next new visitor
goes to the one after. A consultant signs in and sees their walk-in on My day from a phone;
the manager reads the fairness view. The database is checked after each tap."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anchang.assignment.models import DutyEntry, RotationDay, TurnEntry
from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Project, Role, User

pytestmark = pytest.mark.e2e


def _staff(project: Project, role: str) -> list[User]:
    return list(
        User.objects.filter(
            memberships__project=project, memberships__role=role, memberships__is_active=True
        ).order_by("pk")
    )


def _login(tab, user: User) -> None:
    tab.goto("/")
    tab.login(user.username, DEMO_PASSWORD)


def _last() -> TurnEntry:
    return TurnEntry.objects.exclude(kind="skip").order_by("-at", "-id").first()


def test_the_desk_takes_three_walk_ins_on_a_tablet(open_tab, demo):
    project = Project.objects.get(kind="real_estate")
    a, b, owner, absent = _staff(project, Role.CONSULTANT)[:4]
    desk_user = _staff(project, Role.CLERK)[0]
    manager = _staff(project, Role.MANAGER)[0]
    # the demo's own today depends on the hour it was built: start the day afresh
    today = timezone.localdate()
    TurnEntry.objects.filter(project=project, day=today).delete()
    DutyEntry.objects.filter(project=project, day=today).delete()
    RotationDay.objects.filter(project=project, day=today).delete()
    ours = Customer.objects.filter(project=project, owner=owner).order_by("pk").first()
    theirs = Customer.objects.filter(project=project, owner=absent).order_by("pk").first()

    # consultant a signs in from a phone
    phone = open_tab("375", locale="zh-CN")
    _login(phone, a)
    phone.goto("/reception/")
    phone.page.get_by_test_id("sign-in-self").click()
    phone.page.wait_for_load_state("load")
    assert DutyEntry.objects.get(project=project, day=today, consultant=a).status == "on_duty"
    phone.shot("reception-consultant")

    # the desk signs in b and the owner
    desk = open_tab("768", locale="zh-CN")
    page = desk.page
    _login(desk, desk_user)
    desk.goto("/reception/")
    for person in (b, owner):
        page.locator("details summary").click()
        page.get_by_test_id("sign-in-form").locator("select[name=consultant]").select_option(
            str(person.pk)
        )
        page.get_by_test_id("sign-in-form").locator("button[type=submit]").click()
        page.wait_for_load_state("load")
    assert DutyEntry.objects.filter(project=project, day=today).count() == 3
    assert page.get_by_test_id("next-up-name").inner_text().strip() == a.name

    # 1. a returning customer whose consultant is on duty: to them, no turn used
    page.fill("#id_phone", ours.phone)
    page.fill("#id_visitor", "老客户复访")
    page.get_by_test_id("take-walk-in").click()
    page.wait_for_load_state("load")
    assert (_last().kind, _last().consultant_id) == ("owner", owner.pk)
    assert owner.name in page.get_by_test_id("taken").inner_text()
    desk.shot("reception-desk-owner")

    # 2. a returning customer whose consultant is out: whoever's turn it is stands in
    page.fill("#id_phone", theirs.phone)
    page.get_by_test_id("take-walk-in").click()
    page.wait_for_load_state("load")
    stand_in = _last()
    assert (stand_in.kind, stand_in.consultant_id, stand_in.owner_id) == (
        "stand_in", a.pk, absent.pk)  # fmt: skip
    desk.shot("reception-desk-stand-in")

    # a is back from the stand-in; the desk calls a (their turn was kept), a does not come
    row = page.get_by_test_id("roster-row").filter(has_text=a.name)
    row.get_by_test_id("set-on_duty").click()
    page.wait_for_load_state("load")
    assert DutyEntry.objects.get(project=project, day=today, consultant=a).status == "on_duty"
    assert page.get_by_test_id("next-up-name").inner_text().strip() == a.name
    page.get_by_test_id("skip-next").click()
    page.wait_for_load_state("load")
    assert TurnEntry.objects.filter(project=project, day=today, kind="skip",
                                    consultant=a).exists()  # fmt: skip

    # 3. a new visitor: the next in turn after a, b
    page.fill("#id_phone", "")
    page.fill("#id_visitor", "王先生 2人")
    page.get_by_test_id("take-walk-in").click()
    page.wait_for_load_state("load")
    assert (_last().kind, _last().consultant_id, _last().visitor) == ("turn", b.pk, "王先生 2人")
    desk.shot("reception-desk-turn")

    # the stand-in sees the visit on My day; the manager reads the fairness view
    phone.goto("/")
    assert phone.page.get_by_test_id("my-walk-ins").is_visible()
    phone.shot("reception-my-day")
    office = open_tab("1280", locale="zh-CN")
    _login(office, manager)
    office.goto(f"/reception/fairness/?project={project.pk}")
    assert office.page.get_by_test_id("fairness-row").count() >= 3
    office.shot("reception-fairness")
