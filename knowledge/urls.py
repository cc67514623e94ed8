"""Non-page routes (mounted under the language prefix): directory, expertise, project ideas."""

from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("people/", views.directory, name="directory"),
    path("people/directory.json", views.directory_json, name="directory_json"),
    path("people/<str:username>/", views.profile_detail, name="profile"),
    path("people/<str:username>/contact/", views.contact, name="contact"),
    path("me/expertise/", views.expertise_edit, name="expertise"),
    path("projects/", views.idea_list, name="idea_list"),
    path("projects/new/", views.idea_create, name="idea_create"),
    path("projects/<int:pk>/", views.idea_detail, name="idea_detail"),
    path("projects/<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("projects/<int:pk>/stage/", views.idea_stage, name="idea_stage"),
    path("projects/<int:pk>/team/", views.idea_team_add, name="idea_team_add"),
    path(
        "projects/<int:pk>/team/<int:user_id>/remove/",
        views.idea_team_remove,
        name="idea_team_remove",
    ),
    path("projects/<int:pk>/results/", views.idea_results, name="idea_results"),
    path("projects/<int:pk>/good-practice/", views.idea_seed_practice, name="idea_seed_practice"),
    path("funding/", views.funding_list, name="funding"),
    path("knowledge/threads/<int:thread_id>/propose/", views.thread_propose, name="thread_propose"),
]
