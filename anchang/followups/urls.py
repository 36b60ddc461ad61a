from django.urls import path

from anchang.followups import views
from anchang.followups.loss import views as loss_views
from anchang.followups.my_day import views as my_day_views
from anchang.followups.overdue import views as overdue_views
from anchang.followups.reviews import views as review_views
from anchang.followups.revisits import views as revisit_views
from anchang.followups.suspicion import views as suspicion_views

app_name = "followups"

urlpatterns = [
    path("my-day/reminders/", my_day_views.my_day_reminders, name="my-day-reminders"),
    path("customers/<int:pk>/follow-up/", views.followup_new, name="new"),
    path("customers/<int:pk>/grade/", views.grade_edit, name="grade"),
    path("customers/<int:pk>/grade/suggest/", views.grade_suggest, name="grade-suggest"),
    path("customers/<int:pk>/loss/", loss_views.loss_apply, name="loss-apply"),
    path("loss-applications/", loss_views.loss_queue, name="loss-queue"),
    path("overdue/", overdue_views.overdue_list, name="overdue"),
    path("reviews/suspicious/", suspicion_views.suspicious, name="suspicious"),
    path("revisit-plans/", revisit_views.plan_list, name="revisit-plans"),
    path("revisit-plans/new/", revisit_views.plan_new, name="revisit-new"),
    path("revisit-plans/<int:pk>/", revisit_views.plan_detail, name="revisit-plan"),
    path("revisit-plans/<int:pk>/report/", revisit_views.plan_report, name="revisit-report"),
    path("revisit-plans/<int:pk>/review/", revisit_views.plan_review, name="revisit-review"),
    path("reviews/", review_views.review_queue, name="reviews"),
    path("reviews/done/", review_views.reviews_done, name="reviews-done"),
    path("reviews/counts/", review_views.review_counts, name="review-counts"),
    path("reviews/<int:pk>/comment/", review_views.review_comment, name="review-comment"),
    path("reviews/received/<int:pk>/read/", review_views.review_read, name="review-read"),
]
