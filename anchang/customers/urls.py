from django.urls import path

from anchang.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/reassign/", views.customer_reassign, name="reassign"),
]
