from django.urls import path

from anchang.pool import views

app_name = "pool"

urlpatterns = [
    path("", views.pool_list, name="list"),
    path("<int:pk>/claim/", views.pool_claim, name="claim"),
    path("hand-out/", views.pool_hand_out, name="hand-out"),
]
