"""My day's answers in the API: the agenda and the reminders, shape only."""

from rest_framework import serializers

from anchang.followups.my_day.sections import sections
from anchang.followups.serializers import ReceivedReviewSerializer, RevisitTaskDueSerializer


class AgendaCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.CharField(allow_blank=True)
    next_follow_up_on = serializers.DateField(allow_null=True)
    days_overdue = serializers.IntegerField(allow_null=True, help_text="overdue rows only")


class CareDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    what = serializers.CharField()
    customer = serializers.IntegerField()
    customer_name = serializers.CharField()


# My day's figures, which the body lists after the agenda's lists and the sections' fields.
FIGURES = ("customers_total", "new_today", "new_week")


class MyDaySerializer(serializers.Serializer):
    """The agenda; the reminders (care dates, comments, revisit tasks) are their own call."""

    today = serializers.DateField()
    due_today = AgendaCustomerSerializer(many=True, help_text="the first 30, by name")
    due_today_count = serializers.IntegerField()
    overdue = AgendaCustomerSerializer(many=True, help_text="the 20 most overdue")
    overdue_count = serializers.IntegerField()
    new_without_followup = AgendaCustomerSerializer(many=True)
    customers_total = serializers.IntegerField(help_text="all the consultant's customers")
    new_today = serializers.IntegerField()
    new_week = serializers.IntegerField(help_text="registered in the last 7 days")

    def get_fields(self):
        # The fields of the sections other apps add (the pool's warnings), between the
        # agenda's lists and the figures.
        fields = super().get_fields()
        figures = {name: fields.pop(name) for name in FIGURES}
        for section in sections():
            fields.update(section.serializer().get_fields())
        fields.update(figures)
        return fields


class MyDayRemindersSerializer(serializers.Serializer):
    care_dates = CareDateSerializer(many=True, help_text="birthdays and key dates, 7 days")
    revisit_tasks = RevisitTaskDueSerializer(many=True, help_text="the 20 soonest due")
    revisit_more = serializers.BooleanField(help_text="more tasks than revisit_tasks holds")
    reviews_received = ReceivedReviewSerializer(
        many=True, help_text="10: unread first, then read in the last 7 days; newest first"
    )
    reviews_more = serializers.BooleanField()
