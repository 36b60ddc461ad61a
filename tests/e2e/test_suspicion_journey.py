"""可疑记录 in the browser: a manager on a phone finds a pasted record with its pair, reads
why, and opens the customer; the same page on a desktop shows the pair side by side."""

from __future__ import annotations

import pytest

from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.followups.services import followup_record
from tests.e2e.conftest import demo_office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORIGINAL = (
    "王先生今天来电，问了128平三居室的总价和首付比例，说首付能拿出120万，"
    "周六带太太来看样板间，重点关注学区。"
)
PASTED = ORIGINAL.replace("王先生", "李女士").replace("太太", "先生")


@pytest.mark.parametrize("viewport", ["375", "1280"])
def test_manager_finds_the_pasted_pair_and_opens_the_customer(open_tab, demo, viewport):
    manager, project, consultants = demo_office(demo)
    consultant = consultants.last()
    first, second = Customer.objects.filter(owner=consultant).order_by("pk")[:2]
    original = followup_record(actor=consultant, customer=first, kind="phone", content=ORIGINAL)
    pasted = followup_record(actor=consultant, customer=second, kind="phone", content=PASTED)

    tab = open_tab(viewport, locale="zh-CN")
    page = tab.page
    tab.goto("/reviews/suspicious/")
    tab.login(manager.username, DEMO_PASSWORD)
    page.wait_for_url(tab.url("/reviews/suspicious/"))
    assert "不会自动处罚" in page.get_by_test_id("suspicion-note").inner_text()
    pair = page.locator("[data-testid=flag-pair]").filter(
        has=page.locator(f"[data-record='{pasted.pk}']")
    )
    assert pair.count() == 1
    card = page.locator("[data-testid=flag]").filter(has=pair)
    assert card.get_attribute("data-kind") == "near_duplicate"
    reason = card.get_by_test_id("flag-reason").inner_text()
    assert f"#{original.pk}" in reason and f"#{pasted.pk}" in reason and "相似度" in reason
    left = pair.locator(f"[data-record='{original.pk}']")
    right = pair.locator(f"[data-record='{pasted.pk}']")
    assert left.get_by_test_id("flag-content").inner_text() == ORIGINAL
    assert right.get_by_test_id("flag-content").inner_text() == PASTED
    box_left, box_right = left.bounding_box(), right.bounding_box()
    if tab.is_phone:  # stacked on a phone, side by side on a desktop
        assert box_right["y"] >= box_left["y"] + box_left["height"] - 1
    else:
        assert abs(box_right["y"] - box_left["y"]) < 2 and box_right["x"] > box_left["x"]
    tab.shot("suspicious-records")

    page.get_by_test_id("suspicion-days-30").click()
    page.wait_for_load_state("load")
    assert "days=30" in tab.path()
    assert page.locator(f"[data-record='{pasted.pk}']").count() >= 1

    page.locator(f"[data-record='{pasted.pk}']").first.get_by_test_id("flag-customer").click()
    page.wait_for_url(tab.url(f"/customers/{second.pk}/"))
