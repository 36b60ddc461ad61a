"""followups/reviews: the pages (the HTML door).

主管批示: managers comment on follow-ups from a queue; consultants read the comments on My
day; counts per consultant and per manager."""

from __future__ import annotations

from django.urls import reverse

from anchang.followups.models import Review
from anchang.followups.reviews.services import review_comment
from tests.followups.reviews.helpers import HOSTILE, NOTE, _htmx, record


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
