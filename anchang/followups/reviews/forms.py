"""Input shapes of the supervisor-review pages; the rules live in reviews.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from anchang.followups.reviews.services import COMMENT_MAX

PERIODS = [("1", _("Today")), ("7", _("Last 7 days")), ("30", _("Last 30 days"))]


class ReviewCommentForm(forms.Form):
    # No max_length here: the service says how long the text is and what the limit is.
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": COMMENT_MAX}),
    )


class ReviewsDoneForm(forms.Form):
    project = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # When the page was drawn: records that arrived later stay in the queue.
    until = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class ReviewCountsForm(forms.Form):
    days = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
