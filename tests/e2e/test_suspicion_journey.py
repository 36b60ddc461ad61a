"""可疑记录 in the browser: a manager on a phone finds a pasted record (flagged by the tick),
reads why, narrows the list to copy-paste, and opens the customer; the same on a desktop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.followups.services import followup_record
from anchang.followups.suspicion.services import flags_backfill
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

    flags_backfill(now=timezone.now() + timedelta(minutes=2))  # what the tick does

    tab = open_tab(viewport, locale="zh-CN")
    page = tab.page
    tab.goto("/reviews/suspicious/")
    tab.login(manager.username, DEMO_PASSWORD)
    page.wait_for_url(tab.url("/reviews/suspicious/"))
    assert "不会自动处罚" in page.get_by_test_id("suspicion-note").inner_text()
    card = page.locator(f"[data-testid=flag][data-kind=near_duplicate][data-record='{pasted.pk}']")
    assert card.count() == 1
    reason = card.get_by_test_id("flag-reason").inner_text()
    assert f"#{original.pk}" in reason and "相似度" in reason
    assert card.get_by_test_id("flag-content").inner_text() == PASTED
    other = page.locator(f"[data-testid=flag][data-record='{original.pk}']")
    assert f"#{pasted.pk}" in other.get_by_test_id("flag-reason").inner_text()
    tab.shot("suspicious-records")

    # only copy-paste, any period: the filter keeps what was chosen
    page.get_by_test_id("suspicion-kind").select_option("near_duplicate")
    page.get_by_test_id("suspicion-apply").click()
    page.wait_for_load_state("load")
    assert "kind=near_duplicate" in tab.path()
    kinds = page.locator("[data-testid=flag]").evaluate_all(
        "cards => cards.map(c => c.dataset.kind)"
    )
    assert kinds and set(kinds) == {"near_duplicate"}
    page.get_by_test_id("suspicion-days-365").click()
    page.wait_for_load_state("load")
    assert "days=365" in tab.path() and "kind=near_duplicate" in tab.path()
    assert page.locator(f"[data-record='{pasted.pk}']").count() == 1

    page.locator(f"[data-record='{pasted.pk}']").get_by_test_id("flag-customer").click()
    page.wait_for_url(tab.url(f"/customers/{second.pk}/"))
