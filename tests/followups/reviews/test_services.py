"""followups/reviews: the services.

主管批示: managers comment on follow-ups from a queue; consultants read the comments on My
day; counts per consultant and per manager."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.errors import NotFound, PermissionDenied, ValidationFailed
from anchang.followups.models import Review
from anchang.followups.reviews.selectors import (
    period_start,
    review_counts,
)
from anchang.followups.reviews.services import review_comment
from tests.conftest import make_user
from tests.followups.reviews.helpers import record


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
