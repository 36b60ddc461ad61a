from django.contrib import admin
from django.urls import include, path

from anchang import home, views
from anchang.org import views as org_views

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("logout/", org_views.LogoutView.as_view(), name="logout"),
    path("password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("customers/", include("anchang.customers.urls")),
    path("", include("anchang.followups.urls")),
    path("pool/", include("anchang.pool.urls")),
    path("deals/", include("anchang.deals.urls")),
    path("", include("anchang.assignment.urls")),
    path("", include("anchang.care.urls")),
    path("org/", include("anchang.org.urls")),
    path("audit/", include("anchang.audit.urls")),
    path("api/", include("anchang.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "anchang.views.bad_request"
handler403 = "anchang.views.permission_denied"
handler404 = "anchang.views.page_not_found"
handler500 = "anchang.views.server_error"
