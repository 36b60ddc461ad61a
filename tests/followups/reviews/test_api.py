"""followups/reviews: the API.

主管批示: managers comment on follow-ups from a queue; consultants read the comments on My
day; counts per consultant and per manager."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.customers.services import customer_reassign
from anchang.errors import NotFound
from anchang.followups.models import FollowUp, Review
from anchang.followups.reviews.selectors import reviews_received
from anchang.followups.reviews.services import (
    review_comment,
    review_mark_read,
)
from tests.followups.reviews.helpers import HOSTILE, _htmx, entered, record


def _many(world, c1, c2, n: int) -> list[FollowUp]:
    """n records alternately by c1 and c2, entered one minute apart, oldest first."""
    made = []
    for i in range(n):
        author = c1 if i % 2 == 0 else c2
        customer = world.customer(world.p1, author, f"客户{i}")
        made.append(entered(record(author, customer), timedelta(minutes=2 * n - i)))
    return made


QUEUE_HOSTILE = [
    {"consultant": "abc"},
    {"consultant": "²"},
    {"consultant": "١"},
    {"consultant": "-1"},
    {"consultant": "0"},
    {"consultant": "9" * 40},
    {"cursor": "abc"},
    {"cursor": "1_"},
    {"cursor": "9" * 40 + "_1"},
    {"cursor": "١٢_٣"},
    {"cursor": "MTIzXzQ1Ng=="},
]


class TestReceived:
    def test_unread_first_then_recent_newest_first(self, team, fu):
        world, c1, c2, m1, *_ = team
        old_unread = review_comment(actor=m1, followup=fu, comment="旧的未读")
        old_read = review_comment(actor=m1, followup=fu, comment="旧的已读")
        Review.objects.filter(pk__in=[old_unread.pk, old_read.pk]).update(
            created_at=timezone.now() - timedelta(days=10)
        )
        review_mark_read(actor=c1, review=old_read)
        recent_read = review_comment(actor=m1, followup=fu, comment="新的已读")
        review_mark_read(actor=c1, review=recent_read)
        newest = review_comment(actor=m1, followup=fu, comment="最新")
        other = record(c2, world.register(c2).customer)
        review_comment(actor=m1, followup=other, comment="给别人的")
        got = reviews_received(c1)
        assert [r.comment for r in got] == ["最新", "旧的未读", "新的已读"]
        assert got[0].followup.customer.name == "陈女士" and got[0].customer_visible
        assert newest.pk == got[0].pk

    def test_only_the_addressee_marks_read_and_the_first_time_stays(self, team, fu):
        _w, c1, c2, m1, *_ = team
        review = review_comment(actor=m1, followup=fu, comment="注意")
        with pytest.raises(NotFound):
            review_mark_read(actor=c2, review=review)
        with pytest.raises(NotFound):
            review_mark_read(actor=m1, review=review)
        first = review_mark_read(actor=c1, review=review).read_at
        assert first is not None
        assert review_mark_read(actor=c1, review=review).read_at == first

    def test_my_day_shows_ten_and_says_more_wait(self, team, fu, client, api_client):
        _w, c1, _c2, m1, *_ = team
        for i in range(11):
            review_comment(actor=m1, followup=fu, comment=f"批示{i:02d}")
        client.force_login(c1)
        page = client.get(reverse("followups:my-day-reminders")).content.decode()
        assert page.count('data-testid="received-review"') == 10
        assert "批示10" in page and "批示00" not in page  # newest first
        assert 'data-testid="reviews-more"' in page
        api_client.force_authenticate(c1)
        body = api_client.get(reverse("api:my-day-reminders")).json()
        assert len(body["reviews_received"]) == 10 and body["reviews_more"] is True
        # reading the shown ones brings up the one left
        for review in reviews_received(c1):
            review_mark_read(actor=c1, review=review)
        assert reviews_received(c1)[0].comment == "批示00"

    def test_customer_handed_on_is_not_named(self, team, fu):
        world, c1, c2, m1, *_ = team
        review_comment(actor=m1, followup=fu, comment="注意")
        customer_reassign(actor=m1, customer=fu.customer, new_owner_id=c2.pk, reason="离职交接")
        (received,) = reviews_received(c1)
        assert received.comment == "注意" and not received.customer_visible


class TestApi:
    def test_manager_queue_comment_and_mark_done(self, team, fu, api_client):
        world, c1, _c2, m1, *_ = team
        api_client.force_authenticate(m1)
        queue = api_client.get(reverse("api:reviews")).json()
        assert [f["id"] for f in queue["results"]] == [fu.pk]
        assert queue["results"][0]["customer_name"] == "陈女士"
        created = api_client.post(
            reverse("api:reviews"), {"followup": fu.pk, "comment": "多问预算"}, format="json"
        )
        assert created.status_code == 201, created.content
        assert created.json()["consultant"] == c1.pk
        queue = api_client.get(reverse("api:reviews")).json()
        assert queue["results"][0]["reviews"][0]["comment"] == "多问预算"
        done = api_client.post(
            reverse("api:reviews-done"), {"project": world.p1.pk, "until": queue["until"]},
            format="json",
        )  # fmt: skip
        assert done.status_code == 200, done.content
        assert api_client.get(reverse("api:reviews")).json()["results"] == []
        counts = api_client.get(reverse("api:review-counts"), {"days": 7}).json()
        row = next(r for r in counts["consultants"] if r["user"] == c1.pk)
        assert (row["followups_recorded"], row["followups_commented"],
                row["comments_received"]) == (1, 1, 1)  # fmt: skip
        assert counts["managers"] == [{"user": m1.pk, "name": "王经理", "comments_given": 1}]

    def test_consultant_reads_comments_through_the_api(self, team, fu, api_client):
        _w, c1, _c2, m1, *_ = team
        review = review_comment(actor=m1, followup=fu, comment=HOSTILE)
        api_client.force_authenticate(c1)
        received = api_client.get(reverse("api:reviews"), {"received": 1}).json()["results"]
        assert [(r["id"], r["comment"], r["reviewer_name"]) for r in received] == [
            (review.pk, HOSTILE, "王经理")
        ]
        day = api_client.get(reverse("api:my-day-reminders")).json()
        assert [r["comment"] for r in day["reviews_received"]] == [HOSTILE]
        assert day["reviews_received"][0]["customer"] == fu.customer_id
        read = api_client.post(reverse("api:review-read", args=[review.pk]))
        assert read.status_code == 200 and read.json()["read_at"]

    def test_errors_in_the_house_shape(self, team, fu, api_client):
        world, c1, _c2, m1, _m2, m_other = team
        url = reverse("api:reviews")
        api_client.force_authenticate(m1)
        for body, code, field in (
            ({"followup": fu.pk, "comment": " "}, "comment_empty", "comment"),
            ({"followup": fu.pk, "comment": "字" * 501}, "comment_too_long", "comment"),
            ({"followup": fu.pk, "comment": "好", "grade": "A"}, "invalid", "grade"),
            ({"followup": "abc", "comment": "好"}, "invalid", "followup"),
            ({"comment": "好"}, "invalid", "followup"),
        ):
            response = api_client.post(url, body, format="json")
            assert response.status_code == 400, body
            assert response.json()["code"] == code and field in response.json()["fields"]
        assert api_client.post(url, [1, 2], format="json").status_code == 400
        bad_days = api_client.get(reverse("api:review-counts"), {"days": 0})
        assert bad_days.status_code == 400 and "days" in bad_days.json()["fields"]
        assert api_client.get(url, {"project": world.p3.pk}).status_code == 404
        own = record(m1, fu.customer)
        refused = api_client.post(url, {"followup": own.pk, "comment": "好"}, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "own_followup"

        api_client.force_authenticate(m_other)
        response = api_client.post(url, {"followup": fu.pk, "comment": "好"}, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        done = api_client.post(reverse("api:reviews-done"), {"project": world.p1.pk}, format="json")
        assert done.status_code == 404

        api_client.force_authenticate(c1)
        response = api_client.post(url, {"followup": fu.pk, "comment": "好"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
        assert api_client.get(url).status_code == 403
        assert api_client.get(reverse("api:review-counts")).status_code == 403
        done = api_client.post(reverse("api:reviews-done"), {"project": world.p1.pk}, format="json")
        assert done.status_code == 403
        assert not Review.objects.exists()

    def test_schema_documents_reviews(self, client, db):
        schema = client.get("/api/schema/").content.decode()
        for path in ("/api/v1/reviews/", "/api/v1/reviews/mark-done/", "/api/v1/reviews/counts/",
                     "/api/v1/reviews/{id}/read/"):  # fmt: skip
            assert path in schema


class TestLongQueue:
    def test_the_count_is_what_waits_not_the_page(self, team, client, api_client):
        world, c1, c2, m1, *_ = team
        _many(world, c1, c2, 25)
        client.force_login(m1)
        page = client.get(reverse("followups:reviews"))
        html = page.content.decode()
        assert page.context["queue"].waiting == 25
        assert len(page.context["followups"]) == 20
        assert "25 条" in html.partition('data-testid="review-waiting"')[2].partition("</p>")[0]
        api_client.force_authenticate(m1)
        body = api_client.get(reverse("api:reviews"), {"page_size": 10}).json()
        assert (body["waiting"], body["waiting_capped"], len(body["results"])) == (25, False, 10)

    def test_a_count_over_the_cap_says_so(self, team, client, monkeypatch):
        from anchang.followups.reviews import selectors as review_selectors

        world, c1, c2, m1, *_ = team
        _many(world, c1, c2, 4)
        monkeypatch.setattr(review_selectors, "COUNT_CAP", 3)
        client.force_login(m1)
        page = client.get(reverse("followups:reviews"))
        queue = page.context["queue"]
        assert (queue.waiting, queue.waiting_capped) == (3, True)
        assert "超过" in page.content.decode()

    def test_pages_chain_and_mark_done_below_covers_what_was_shown(self, team, client):
        world, c1, c2, m1, *_ = team
        made = _many(world, c1, c2, 25)
        client.force_login(m1)
        first = client.get(reverse("followups:reviews"))
        html = first.content.decode()
        # "mark reviewed" comes after the records, beside the next page
        assert html.index('data-testid="review-queue"') < html.index("reviews-done-form")
        shown = [f.pk for f in first.context["followups"]]
        assert shown == [f.pk for f in made[:20]]
        cursor = first.context["queue"].next_cursor
        assert f"cursor={cursor}" in html
        second = client.get(reverse("followups:reviews"), {"cursor": cursor})
        assert [f.pk for f in second.context["followups"]] == [f.pk for f in made[20:]]
        assert second.context["queue"].next_cursor is None
        # marking on the first page covers the first page only
        until = first.context["done_form"]["until"].value()
        client.post(reverse("followups:reviews-done"), {"until": until})
        again = client.get(reverse("followups:reviews"))
        assert [f.pk for f in again.context["followups"]] == [f.pk for f in made[20:]]
        assert again.context["queue"].waiting == 5

    def test_one_consultants_records_and_no_mark_done_then(self, team, client, api_client):
        world, c1, c2, m1, *_ = team
        made = _many(world, c1, c2, 6)
        client.force_login(m1)
        page = client.get(reverse("followups:reviews"), {"consultant": c2.pk})
        assert [f.pk for f in page.context["followups"]] == [f.pk for f in made[1::2]]
        assert page.context["queue"].waiting == 3
        html = page.content.decode()
        assert "reviews-done-form" not in html and "reviews-done-filtered" in html
        assert f'<option value="{c2.pk}" selected>' in html
        api_client.force_authenticate(m1)
        body = api_client.get(reverse("api:reviews"), {"consultant": c1.pk}).json()
        assert [r["id"] for r in body["results"]] == [f.pk for f in made[::2]]

    @pytest.mark.parametrize("params", QUEUE_HOSTILE, ids=repr)
    def test_hostile_filters_are_400_with_a_message(self, team, client, api_client, params):
        world, c1, c2, m1, *_ = team
        client.force_login(m1)
        response = client.get(reverse("followups:reviews"), params)
        assert response.status_code == 400
        (field,) = params
        assert f'data-field-error="{field}"' in response.content.decode()
        api_client.force_authenticate(m1)
        response = api_client.get(reverse("api:reviews"), params)
        assert response.status_code == 400 and response.json()["fields"][field]

    def test_common_comments_come_from_the_project_rules(self, team, client):
        world, c1, c2, m1, *_ = team
        fu = _many(world, c1, c2, 1)[0]
        client.force_login(m1)
        html = client.get(reverse("followups:reviews")).content.decode()
        assert html.count('data-testid="review-preset"') == 5
        assert f'data-preset-for="id_comment_{fu.pk}"' in html and "请尽快约客户到访。" in html
        world.p1.rules_overrides = {"review": {"comment_presets": ["好", HOSTILE]}}
        world.p1.save()
        html = client.get(reverse("followups:reviews")).content.decode()
        assert html.count('data-testid="review-preset"') == 2
        assert HOSTILE not in html and "&lt;script&gt;" in html
        # the record swapped in after a comment keeps its buttons
        fragment = _htmx(
            client, reverse("followups:review-comment", args=[fu.pk]), {"comment": "好"}
        )
        assert fragment.content.decode().count('data-testid="review-preset"') == 2

    def test_queries_do_not_grow_with_the_queue(self, team, client, django_assert_max_num_queries):
        world, c1, c2, m1, *_ = team
        _many(world, c1, c2, 2)
        client.force_login(m1)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("followups:reviews"))
        _many(world, c1, c2, 30)
        with django_assert_max_num_queries(len(few)):
            page = client.get(reverse("followups:reviews"))
        assert len(page.context["followups"]) == 20
