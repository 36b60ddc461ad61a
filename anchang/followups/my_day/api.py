"""My day's endpoints: the same selectors as the home page."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.followups.my_day import selectors
from anchang.followups.my_day.serializers import MyDayRemindersSerializer, MyDaySerializer


class MyDayApi(APIView):
    """The consultant's agenda (今日待办); GET my-day/reminders/ for the rest of the day."""

    @extend_schema(responses=MyDaySerializer)
    def get(self, request):
        day = selectors.my_day(request.user)
        body = {
            "today": day.today,
            "due_today": day.due_today,
            "due_today_count": day.due_count,
            "overdue": day.overdue,
            "overdue_count": day.overdue_count,
            "new_without_followup": day.new_without_followup,
            **day.extra,  # the sections' values, which their serializers present
            "customers_total": day.total,
            "new_today": day.new_today,
            "new_week": day.new_week,
        }
        return Response(MyDaySerializer(body, context={"request": request}).data)


class MyDayRemindersApi(APIView):
    """Care dates of the coming week, the manager's comments and revisit tasks."""

    @extend_schema(responses=MyDayRemindersSerializer)
    def get(self, request):
        reminders = selectors.my_day_reminders(request.user)
        body = {
            "care_dates": [
                {"date": d, "what": what, "customer": c.pk, "customer_name": c.name}
                for d, what, c in reminders.care_dates
            ],
            "revisit_tasks": reminders.revisit_tasks,
            "revisit_more": reminders.revisit_more,
            "reviews_received": reminders.reviews_received,
            "reviews_more": reminders.reviews_more,
        }
        return Response(MyDayRemindersSerializer(body).data)
