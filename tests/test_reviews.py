"""主管批示: managers comment on follow-ups from a queue; consultants read the comments on My
day; counts per consultant and per manager. Services, selectors, pages, API, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.customers.services import customer_reassign
from anchang.errors import NotFound, PermissionDenied, ValidationFailed
from anchang.followups.models import FollowUp, Review, ReviewCursor
from anchang.followups.reviews.selectors import (
    period_start,
    review_counts,
    review_queue,
    reviews_received,
)
from anchang.followups.reviews.services import (
    review_comment,
    review_mark_read,
    reviews_mark_done,
)
from anchang.followups.services import followup_record
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user

NOTE = "客户确认周六带爱人来看样板间，重点看三居室，担心首付比例，希望有优惠。"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def team(world):
    """p1: consultants c1, c2 and managers m1, m2; p2: manager m_other."""
    c1, c2 = world.consultants["p1"]
    m1 = world.grant(make_user("rv-m1", "王经理"), "manager")
    m2 = world.grant(make_user("rv-m2", "李经理"), "manager")
    m_other = make_user("rv-m3", "赵经理")
    membership_grant(user=m_other, role=Role.MANAGER, company=world.company, project=world.p2)
    return world, c1, c2, m1, m2, m_other


def record(actor, customer, content=NOTE, **kw):
    return followup_record(actor=actor, customer=customer, kind="phone", content=content, **kw)


def entered(followup, ago: timedelta) -> FollowUp:
    """Place a follow-up's entry time in the past (the queue is about entry times)."""
    at = timezone.now() - ago
    FollowUp.objects.filter(pk=followup.pk).update(entered_at=at, occurred_at=at)
    followup.refresh_from_db()
    return followup


@pytest.fixture
def fu(team):
    world, c1, *_ = team
    return record(c1, world.register(c1, name="陈女士").customer)


class TestComment:
    def test_manager_comments_and_the_author_is_the_addressee(self, team, fu):
        _w, c1, _c2, m1, *_ = team
        review = review_comment(actor=m1, followup=fu, comment="  下次问清楚首付预算。\n ")
        assert review.comment == "下次问清楚首付预算。"
        assert (review.consultant, review.reviewer, review.project_id) == (c1, m1, fu.project_id)
        assert review.read_at is None

    def test_a_double_tap_gives_one_comment(self, team, fu):
        m1 = team[3]
        first = review_comment(actor=m1, followup=fu, comment="约周末到访")
        again = review_comment(actor=m1, followup=fu, comment="约周末到访 ")
        assert first.pk == again.pk and Review.objects.count() == 1

    def test_consultants_and_clerks_cannot_comment(self, team, fu):
        world, c1, c2, *_ = team
        with pytest.raises(PermissionDenied):  # sees the customer, may not review
            review_comment(actor=c1, followup=fu, comment="自己批")
        with pytest.raises(NotFound):  # a colleague's customer: not even visible
            review_comment(actor=c2, followup=fu, comment="帮你批")
        clerk = world.grant(make_user("rv-clerk"), "clerk")
        with pytest.raises(PermissionDenied):
            review_comment(actor=clerk, followup=fu, comment="核对")
        assert not Review.objects.exists()

    def test_manager_of_another_project_finds_nothing(self, team, fu):
        m_other = team[5]
        with pytest.raises(NotFound):
            review_comment(actor=m_other, followup=fu, comment="看看")

    def test_nobody_reviews_their_own_follow_up(self, team, fu):
        _w, _c1, _c2, m1, m2, _ = team
        own = record(m1, fu.customer)  # a manager follows up a team customer
        with pytest.raises(PermissionDenied) as info:
            review_comment(actor=m1, followup=own, comment="很好")
        assert info.value.code == "own_followup"
        assert review_comment(actor=m2, followup=own, comment="可以").consultant == m1

    @pytest.mark.parametrize(
        ("text", "code", "says"),
        [("", "comment_empty", ""), ("  \n\t ", "comment_empty", ""),
         ("好" * 501, "comment_too_long", "501")],
    )  # fmt: skip
    def test_empty_and_oversized_comments(self, team, fu, text, code, says):
        with pytest.raises(ValidationFailed) as info:
            review_comment(actor=team[3], followup=fu, comment=text)
        assert info.value.code == code and "comment" in info.value.fields
        assert says in str(info.value.fields["comment"])
        assert not Review.objects.exists()
        assert review_comment(actor=team[3], followup=fu, comment="好" * 500).comment == "好" * 500


class TestQueue:
    def test_queue_is_the_teams_follow_ups_since_the_last_review(self, team, fu):
        world, c1, c2, m1, _m2, m_other = team
        old = entered(record(c1, fu.customer), timedelta(days=8))  # before the default window
        mine = record(m1, fu.customer)
        p2c = world.consultants["p2"][0]
        other_project = record(p2c, world.register(p2c, world.p2).customer)
        later = record(c2, world.register(c2).customer)
        queue = review_queue(m1)
        assert [f.pk for f in queue.followups] == [fu.pk, later.pk]  # oldest first
        assert old.pk not in {f.pk for f in queue.followups}
        assert mine.pk not in {f.pk for f in queue.followups}
        assert [f.pk for f in review_queue(m_other).followups] == [other_project.pk]
        assert review_queue(c1).followups == []

    def test_mark_done_moves_the_queue_and_never_back(self, team, fu):
        world, c1, _c2, m1, m2, _ = team
        entered(fu, timedelta(minutes=10))
        drawn = timezone.now() - timedelta(minutes=5)  # when the manager's page was drawn
        arrived = entered(record(c1, fu.customer), timedelta(minutes=2))  # while reading
        reviews_mark_done(actor=m1, project=world.p1, until=drawn)
        assert [f.pk for f in review_queue(m1).followups] == [arrived.pk]
        reviews_mark_done(actor=m1, project=world.p1, until=drawn - timedelta(days=3))
        assert [f.pk for f in review_queue(m1).followups] == [arrived.pk]
        reviews_mark_done(actor=m1)  # every project, up to now
        assert review_queue(m1).followups == []
        # each manager has their own cursor
        assert {f.pk for f in review_queue(m2).followups} == {fu.pk, arrived.pk}
        assert ReviewCursor.objects.get(reviewer=m1).reviewed_until <= timezone.now()

    def test_a_long_queue_is_worked_through_in_batches(self, team, fu, monkeypatch):
        from anchang.followups.reviews import selectors as review_selectors

        world, c1, _c2, m1, *_ = team
        monkeypatch.setattr(review_selectors, "QUEUE_LIMIT", 2)
        older = [entered(fu, timedelta(minutes=30))]
        for minutes in (20, 10):
            older.append(entered(record(c1, fu.customer), timedelta(minutes=minutes)))
        queue = review_queue(m1)
        assert queue.truncated and [f.pk for f in queue.followups] == [f.pk for f in older[:2]]
        reviews_mark_done(actor=m1, until=queue.drawn_at)
        queue = review_queue(m1)
        assert not queue.truncated and [f.pk for f in queue.followups] == [older[2].pk]

    def test_mark_done_in_the_future_stops_at_now(self, team, fu):
        m1 = team[3]
        reviews_mark_done(actor=m1, until=timezone.now() + timedelta(days=30))
        assert ReviewCursor.objects.get(reviewer=m1).reviewed_until <= timezone.now()

    def test_only_managers_mark_done(self, team):
        world, c1, _c2, _m1, _m2, m_other = team
        with pytest.raises(PermissionDenied):
            reviews_mark_done(actor=c1)
        with pytest.raises(PermissionDenied):
            reviews_mark_done(actor=m_other, project=world.p1)
        assert not ReviewCursor.objects.exists()

    def test_queue_queries_do_not_grow(self, team, fu):
        world, c1, _c2, m1, m2, _ = team

        def queries():
            with CaptureQueriesContext(connection) as ctx:
                rows = review_queue(m1).followups
                shown = [
                    (f.customer.name, f.author.name, f.project.name,
                     [(r.reviewer.name, r.comment) for r in f.reviews.all()])
                    for f in rows
                ]  # fmt: skip
            return len(ctx.captured_queries), len(shown)

        review_comment(actor=m2, followup=fu, comment="一条")
        queries()  # the actor's grants are read once, then kept for the request
        few = queries()
        for i in range(8):
            extra = record(c1, world.register(c1, name=f"客{i}").customer)
            review_comment(actor=m2, followup=extra, comment=f"批示{i}")
        many = queries()
        assert many[1] == few[1] + 8 and many[0] == few[0]


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


class TestCounts:
    def test_counts_per_consultant_and_manager(self, team, fu):
        world, c1, c2, m1, m2, m_other = team
        second = record(c1, fu.customer)
        record(c1, fu.customer)
        review_comment(actor=m1, followup=fu, comment="一")
        review_comment(actor=m1, followup=fu, comment="二")
        review_comment(actor=m2, followup=second, comment="三")
        old = review_comment(actor=m2, followup=second, comment="上个月")
        Review.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
        counts = review_counts(m1, period_start(7))
        rows = {c.user: c for c in counts.consultants}
        assert (rows[c1].followups_recorded, rows[c1].followups_commented,
                rows[c1].comments_received) == (3, 2, 3)  # fmt: skip
        assert (rows[c2].followups_recorded, rows[c2].comments_received) == (0, 0)
        assert [(m.user, m.comments_given) for m in counts.managers] == [(m1, 2), (m2, 1)]
        month = review_counts(m1, period_start(30))
        assert {m.user: m.comments_given for m in month.managers}[m2] == 2
        assert review_counts(m_other, period_start(30)).managers == []
        assert review_counts(c1, period_start(30)).consultants == []


# --- pages -------------------------------------------------------------------------------


def _htmx(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


class TestPages:
    def test_queue_page_shows_each_record_and_takes_a_comment(self, team, fu, client):
        _w, _c1, _c2, m1, m2, _ = team
        review_comment(actor=m2, followup=fu, comment="已电话核实")
        client.force_login(m1)
        page = client.get(reverse("followups:reviews"))
        html = page.content.decode()
        assert page.status_code == 200
        assert f'data-followup="{fu.pk}"' in html and "陈女士" in html and NOTE in html
        assert "已电话核实" in html and "李经理" in html
        assert "待批示" in html and "统计" in html  # the tabs, in Chinese
        url = reverse("followups:review-comment", args=[fu.pk])
        response = client.post(url, {"comment": "约周六看房"})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#followup-{fu.pk}")
        assert Review.objects.filter(followup=fu, reviewer=m1, comment="约周六看房").exists()

    def test_htmx_swaps_just_the_record(self, team, fu, client):
        client.force_login(team[3])
        url = reverse("followups:review-comment", args=[fu.pk])
        response = _htmx(client, url, {"comment": "先了解预算"})
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith("<article") and "<nav" not in html
        assert 'data-testid="review-saved"' in html and "先了解预算" in html
        refused = _htmx(client, url, {"comment": "   "}).content.decode()
        assert 'data-field-error="comment"' in refused and "请填写给顾问的批示" in refused
        assert Review.objects.count() == 1

    def test_refused_comment_without_javascript(self, team, fu, client):
        client.force_login(team[3])
        url = reverse("followups:review-comment", args=[fu.pk])
        response = client.post(url, {"comment": "长" * 501})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'data-field-error="comment"' in html and "501" in html
        assert "长" * 501 in html  # the text is given back, not lost
        assert not Review.objects.exists()

    def test_hostile_comment_is_shown_as_text(self, team, fu, client):
        _w, c1, _c2, m1, *_ = team
        client.force_login(m1)
        client.post(reverse("followups:review-comment", args=[fu.pk]), {"comment": HOSTILE})
        assert Review.objects.get().comment == HOSTILE
        for user in (m1, c1):
            client.force_login(user)
            page = "followups:reviews" if user == m1 else "followups:my-day-reminders"
            html = client.get(reverse(page)).content
            assert b"&lt;script&gt;alert(" in html and b'<script>alert("x")' not in html
            assert b"<img src=x" not in html

    def test_mark_everything_up_to_now(self, team, fu, client):
        client.force_login(team[3])
        page = client.get(reverse("followups:reviews"))
        until = page.context["done_form"]["until"].value()
        response = client.post(reverse("followups:reviews-done"), {"until": until})
        assert response.status_code == 302
        page = client.get(reverse("followups:reviews")).content.decode()
        assert 'data-testid="review-queue-empty"' in page
        bad = client.post(reverse("followups:reviews-done"), {"until": "yesterday-ish"})
        assert bad.status_code == 400

    def test_who_may_open_what(self, team, fu, client):
        world, c1, _c2, m1, _m2, m_other = team
        comment_url = reverse("followups:review-comment", args=[fu.pk])
        client.force_login(c1)
        assert client.get(reverse("followups:reviews")).status_code == 403
        assert client.get(reverse("followups:review-counts")).status_code == 403
        assert client.post(comment_url, {"comment": "x"}).status_code == 403
        assert b'href="/reviews/"' not in client.get(reverse("home")).content
        client.force_login(m_other)
        assert client.post(comment_url, {"comment": "x"}).status_code == 404
        assert client.get(reverse("followups:reviews"), {"project": world.p1.pk}).status_code == 404
        assert client.get(reverse("followups:reviews"), {"project": "x"}).status_code == 404
        assert client.post(reverse("followups:review-comment", args=[999999]),
                           {"comment": "x"}).status_code == 404  # fmt: skip
        client.force_login(m1)
        assert b'href="/reviews/"' in client.get(reverse("home")).content
        own = record(m1, fu.customer)
        response = client.post(
            reverse("followups:review-comment", args=[own.pk]), {"comment": "好"}
        )
        assert response.status_code == 403 and "不能批示自己的跟进记录" in response.content.decode()
        assert not Review.objects.exists()

    def test_counts_page(self, team, fu, client):
        _w, c1, c2, m1, m2, _ = team
        review_comment(actor=m2, followup=fu, comment="一")
        client.force_login(m1)
        for days in ("1", "7", "30"):
            page = client.get(reverse("followups:review-counts"), {"days": days})
            assert page.status_code == 200
            html = page.content.decode()
            assert f'data-user="{c1.pk}"' in html and f'data-user="{c2.pk}"' in html
        row = {c.user: c for c in page.context["counts"].consultants}[c1]
        assert (row.followups_recorded, row.followups_commented, row.comments_received) == (1, 1, 1)
        assert "跟进记录数" in html and "收到批示数" in html
        bad = client.get(reverse("followups:review-counts"), {"days": "9999"})
        assert bad.status_code == 400 and 'data-testid="form-error"' in bad.content.decode()

    def test_queue_page_queries_do_not_grow(self, team, fu, client, django_assert_max_num_queries):
        world, c1, _c2, m1, m2, _ = team
        for i in range(15):
            extra = record(c1, world.register(c1, name=f"客{i}").customer)
            review_comment(actor=m2, followup=extra, comment=f"批示{i}")
        client.force_login(m1)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("followups:reviews")).status_code == 200


class TestMyDay:
    def test_consultant_sees_the_comment_and_marks_it_read(self, team, fu, client):
        _w, c1, _c2, m1, *_ = team
        review = review_comment(actor=m1, followup=fu, comment="周末前再联系一次")
        client.force_login(c1)
        home = client.get(reverse("home")).content.decode()
        url = reverse("followups:my-day-reminders")
        assert f'hx-get="{url}"' in home  # My day fetches the comments once drawn
        html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in html  # the fragment, not a page
        assert 'data-testid="my-day-reviews"' in html and "主管批示" in html
        # without JavaScript the same reminders are a page of their own
        page = client.get(url).content.decode()
        assert "<html" in page and "周末前再联系一次" in page
        assert "周末前再联系一次" in html and "王经理" in html
        assert reverse("customers:detail", args=[fu.customer_id]) in html
        assert 'data-read="0"' in html and "知道了" in html
        url = reverse("followups:review-read", args=[review.pk])
        fragment = _htmx(client, url, {}).content.decode()
        assert 'data-read="1"' in fragment and "review-got-it" not in fragment
        review.refresh_from_db()
        assert review.read_at is not None
        assert client.post(url).status_code == 302  # plain POST: back to My day

    def test_someone_elses_comment_cannot_be_marked(self, team, fu, client):
        _w, _c1, c2, m1, *_ = team
        review = review_comment(actor=m1, followup=fu, comment="注意")
        client.force_login(c2)
        assert client.post(reverse("followups:review-read", args=[review.pk])).status_code == 404
        review.refresh_from_db()
        assert review.read_at is None


# --- API ---------------------------------------------------------------------------------


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


# --- a long queue: its true count, pages, a consultant, common comments -----------------


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
