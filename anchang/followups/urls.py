from django.urls import path

from anchang.followups import views

app_name = "followups"

urlpatterns = [
    path("customers/<int:pk>/follow-up/", views.followup_new, name="new"),
    path("customers/<int:pk>/grade/", views.grade_edit, name="grade"),
    path("customers/<int:pk>/loss/", views.loss_apply, name="loss-apply"),
    path("loss-applications/", views.loss_queue, name="loss-queue"),
]
