from django.urls import path

from anchang.org import views

app_name = "org"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<str:token_key>/revoke/", views.token_revoke, name="token-revoke"),
    path("staff-tokens/", views.staff_tokens, name="staff-tokens"),
    path(
        "staff-tokens/<str:token_key>/revoke/",
        views.staff_token_revoke,
        name="staff-token-revoke",
    ),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/rules/", views.project_rules_edit, name="project-rules"),
]
