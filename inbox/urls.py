from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("settings/", views.settings_view, name="settings"),
    path("watch/", views.watch, name="watch"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
