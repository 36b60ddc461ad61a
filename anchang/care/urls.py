from django.urls import path

from anchang.care import views

app_name = "care"

urlpatterns = [
    path("customers/<int:pk>/sms/", views.message_new, name="message-new"),
    path("customers/<int:pk>/consent/", views.consent, name="consent"),
    path("care/batches/", views.batches, name="batches"),
    path("care/batches/new/", views.batch_new, name="batch-new"),
    path("care/batches/<int:pk>/", views.batch, name="batch"),
    # the SMS providers' delivery reports and replies (回执, 上行), behind a secret URL
    path(
        "care/callbacks/<str:provider>/<str:kind>/<str:token>/", views.callback, name="callback"
    ),  # fmt: skip
]
