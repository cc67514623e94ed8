from django.urls import path

from . import views

app_name = "discussions"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("groups/<slug:slug>/", views.group_threads, name="group"),
    path("groups/<slug:slug>/new/", views.thread_create, name="thread_create"),
    path("groups/<slug:slug>/moderation/", views.moderation_queue, name="queue"),
    path("groups/<slug:slug>/moderation/log/", views.moderation_log, name="log"),
    path("groups/<slug:slug>/moderation/settings/", views.group_settings, name="group_settings"),
    path("threads/<int:thread_id>/", views.thread_detail, name="thread"),
    path("threads/<int:thread_id>/reply/", views.thread_reply, name="thread_reply"),
    path("threads/<int:thread_id>/moderate/", views.thread_moderate, name="thread_moderate"),
    path("threads/<int:thread_id>/mentions/", views.mention_autocomplete, name="mentions"),
    path("threads/<int:thread_id>/posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/reply/", views.post_reply, name="post_reply"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/react/", views.post_react, name="post_react"),
    path("posts/<int:post_id>/report/", views.post_report, name="post_report"),
    path("posts/<int:post_id>/history/", views.post_history, name="post_history"),
    path("posts/<int:post_id>/moderate/", views.post_moderate, name="post_moderate"),
    path("posts/<int:post_id>/fragment/", views.post_fragment, name="post_fragment"),
    path("reports/<int:report_id>/resolve/", views.report_resolve, name="report_resolve"),
    path("members/<str:username>/", views.member_detail, name="member"),
]
