from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from files import views as files_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    # Wagtail's serve view (its hooks ask files.policy), the download under its uploaded name.
    re_path(r"^documents/(\d+)/(.*)$", files_views.document, name="files_document"),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/switch/", cms_views.switch_language, name="switch_language"),
    path("sitemap.xml", sitemap),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("me/", include("people.urls")),
    path("search/", cms_views.search, name="search"),
    path("notifications/", include("inbox.urls")),
    path("discussions/", include("discussions.urls")),
    path("", include("knowledge.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

# A database connection lost outside a view is a 503 too (core.dbfaults).
handler500 = "core.dbfaults.server_error"

# Every environment: uploaded images by their content's policy (files.views); documents
# only through /documents/<id>/<name> (Wagtail's serve view, files.wagtail_hooks).
urlpatterns = [
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", files_views.media, name="media"),
    *urlpatterns,
]
