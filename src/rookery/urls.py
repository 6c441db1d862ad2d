from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("rookery.api.urls")),
    path("", include("rookery.feeds.urls")),
    path("", include("rookery.suggestions.urls")),
    path("", include("rookery.catchup.urls")),
    path("", include("rookery.traction.urls")),
    path("", include("rookery.web.urls")),
]

if not settings.PRODUCTION:
    # Uploaded media; in production the reverse proxy serves MEDIA_ROOT (docs/deployment.md).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
