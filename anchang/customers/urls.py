from django.urls import path

from anchang.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("register/", views.register, name="register"),
    path("export/", views.customer_export, name="export"),
    path("export/xlsx/", views.customer_export_xlsx, name="export-xlsx"),
    path("media/", views.media_list, name="media"),
    path("media/<int:pk>/", views.medium_edit, name="medium-edit"),
    path("conflicts/", views.conflict_list, name="conflicts"),
    path("conflicts/<int:pk>/resolve/", views.conflict_resolve, name="conflict-resolve"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/print/", views.customer_print, name="print"),
    path("<int:pk>/reassign/", views.customer_reassign, name="reassign"),
    path("<int:pk>/reveal-phone/", views.customer_reveal_phone, name="reveal"),
    path("<int:pk>/key-dates/", views.key_date_add, name="key-date-add"),
    path(
        "<int:pk>/key-dates/<int:key_date_pk>/remove/",
        views.key_date_remove,
        name="key-date-remove",
    ),
]
