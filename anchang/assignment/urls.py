from django.urls import path

from anchang.assignment.reception import views as reception

app_name = "assignment"

urlpatterns = [
    path("", reception.reception, name="reception"),
    path("panel/", reception.reception_panel, name="reception-panel"),
    path("walk-in/", reception.walk_in, name="walk-in"),
    path("sign-in/", reception.sign_in, name="sign-in"),
    path("duty/<int:pk>/", reception.duty_set, name="duty"),
    path("skip/", reception.skip, name="skip"),
    path("ledger/", reception.ledger, name="ledger"),
    path("fairness/", reception.fairness, name="fairness"),
]
