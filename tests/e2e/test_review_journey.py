"""主管批示 in the browser: a manager on a desktop works through the review queue and
comments inline; the consultant finds the comment on My day on a phone and marks it read."""

from __future__ import annotations

import pytest

from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.followups.models import FollowUp, Review, ReviewCursor
from anchang.followups.reviews.selectors import period_start
from anchang.followups.reviews.services import reviews_mark_done
from anchang.followups.services import followup_record
from tests.e2e.conftest import demo_office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTE = (
    "客户周六带父母来看了样板间，对三居室的户型和朝向都满意，"
    "担心学区名额和首付比例，约下周二再电话确认首付方案和优惠。"
)
COMMENT = "先把学区政策发给客户，<b>周二</b>前回电。"


def test_manager_comments_and_the_consultant_reads_it_on_my_day(open_tab, demo):
    manager, project, consultants = demo_office(demo)
    consultant = consultants.first()
    customer = Customer.objects.filter(owner=consultant).order_by("pk").first()
    reviews_mark_done(actor=manager)  # yesterday's review is done: the demo's backlog
    followup = followup_record(actor=consultant, customer=customer, kind="visit", content=NOTE)
    mine = Review.objects.filter(followup=followup)

    # The manager, on a desktop: the menu leads to the queue, the record is there in full.
    desk = open_tab("1280", locale="zh-CN")
    page = desk.page
    desk.login(manager.username, DEMO_PASSWORD)
    link = page.get_by_test_id("nav").get_by_role("link", name="主管批示", exact=True)
    link.click()
    page.wait_for_url(desk.url("/reviews/"))
    assert page.get_by_test_id("review-tabs").inner_text().split()[:2] == ["待批示", "统计"]
    record = page.locator(f"[data-testid=review-record][data-followup='{followup.pk}']")
    assert record.get_by_test_id("review-customer").inner_text() == customer.name
    assert record.get_by_test_id("review-author").inner_text() == str(consultant)
    assert record.get_by_test_id("review-content").inner_text() == NOTE

    # An empty comment is refused beside the field, the page stays where it was.
    record.get_by_test_id("review-submit").click()
    error = record.locator("[data-field-error=comment]")
    error.wait_for()
    assert "请填写给顾问的批示" in error.inner_text()
    assert not mine.exists()

    record.locator("textarea[name=comment]").fill(COMMENT)
    record.get_by_test_id("review-submit").click()
    record.get_by_test_id("review-saved").wait_for()
    assert desk.path() == "/reviews/"  # only the record was swapped
    assert record.get_by_test_id("review-comment-text").inner_text() == COMMENT  # as text
    assert record.locator("b").count() == 0
    review = mine.get()
    assert (review.reviewer, review.consultant, review.comment) == (manager, consultant, COMMENT)
    page.wait_for_timeout(300)  # the field's border fades from the earlier error's red
    desk.shot("review-queue")

    # A common comment fills the box in one tap; posting it swaps the record again, and
    # no swap may trip the CSP (htmx once wrote style="" on settle: a console error here).
    preset = record.get_by_test_id("review-preset").first
    text = preset.inner_text()
    preset.click()
    assert record.locator("textarea[name=comment]").input_value() == text
    record.get_by_test_id("review-submit").click()
    page.wait_for_timeout(500)
    assert mine.filter(comment=text).exists()
    assert record.get_by_test_id("review-comment-text").count() == 2
    desk.assert_clean()
    # "mark reviewed" comes after the records
    box = page.get_by_test_id("reviews-done").bounding_box()
    assert box["y"] > record.bounding_box()["y"]

    page.get_by_test_id("reviews-done").click()
    page.wait_for_load_state("load")
    assert page.get_by_test_id("review-queue-empty").is_visible()
    assert page.locator("[data-testid=review-record]").count() == 0
    assert ReviewCursor.objects.get(reviewer=manager, project=project).reviewed_until > (
        followup.entered_at
    )

    page.get_by_test_id("tab-counts").click()
    page.wait_for_url(desk.url("/reviews/counts/"))
    since = period_start(7)
    received = Review.objects.filter(consultant=consultant, created_at__gte=since)
    expected = [
        FollowUp.objects.filter(author=consultant, entered_at__gte=since).count(),
        received.values("followup").distinct().count(),
        received.count(),
    ]
    row = page.locator(f"[data-testid=counts-consultant][data-user='{consultant.pk}']")
    shown = [row.get_by_test_id(t).inner_text() for t in ("recorded", "commented", "received")]
    assert shown == [str(n) for n in expected] and expected[2] >= 1
    desk.shot("review-counts")
    # The same pages fit a manager's phone (the counts table becomes cards).
    pocket = open_tab("375", locale="zh-CN")
    pocket.login(manager.username, DEMO_PASSWORD)
    pocket.goto("/reviews/counts/?days=30")
    assert pocket.page.get_by_test_id("period-30").is_visible()
    pocket.shot("review-counts")
    pocket.goto("/reviews/")
    pocket.shot("review-queue")

    # The consultant, on a phone: the comment waits on My day.
    phone = open_tab("375", locale="zh-CN")
    page = phone.page
    phone.login(consultant.username, DEMO_PASSWORD)
    section = page.get_by_test_id("my-day-reviews")
    item = section.locator(f"[data-testid=received-review][data-review='{review.pk}']")
    assert item.get_by_test_id("received-review-comment").inner_text() == COMMENT
    assert item.get_by_test_id("received-review-manager").inner_text() == str(manager)
    assert item.get_by_test_id("received-review-customer").inner_text() == customer.name
    assert item.get_attribute("data-read") == "0"
    phone.shot("my-day-review")
    item.get_by_test_id("review-got-it").click()
    page.locator(f"[data-review='{review.pk}'][data-read='1']").wait_for()
    assert item.get_by_test_id("received-review-read").inner_text() == "已读"
    review.refresh_from_db()
    assert review.read_at is not None
    phone.shot("my-day-review-read")
    for tab in (desk, pocket, phone):
        tab.assert_clean()
