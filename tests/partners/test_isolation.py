# ruff: noqa: E501  (the expected table is one row per action)
"""The isolation matrix: (editor A, moderator A, editor B, member, site admin) x (admin action)
over association A's and association B's objects, with the exact expected outcome per cell.

Outcomes:
  OK      the view answers 200 (the user may use it on that object)
  DENIED  Wagtail's "permission denied": a redirect to the admin dashboard (or a 403)
  LOGIN   no admin access at all: a redirect to the admin login
  DONE    a write really happened (checked in the database, then rolled back)
  REFUSED a write was attempted and nothing changed
  SEEN    the object's title (drafts included; each starts with a secret marker) is in the response
  HIDDEN  it is not (the listing or search answered, without the object)
  NOT_FOUND / BAD_REQUEST  404 (LocaleMiddleware turns an admin 404 into a redirect to
          /en/admin/...: counted as 404) / 400 (the admin API's "parent page doesn't exist")

Every cell runs inside a savepoint that is rolled back, so cells cannot influence each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

OK, DENIED, LOGIN, DONE, REFUSED, SEEN, HIDDEN = (
    "OK",
    "DENIED",
    "LOGIN",
    "DONE",
    "REFUSED",
    "SEEN",
    "HIDDEN",
)
NOT_FOUND, BAD_REQUEST = "NOT_FOUND", "BAD_REQUEST"
ROLES = ["editor_a", "moderator_a", "editor_b", "member", "admin"]


def page_form(page, **overrides):
    data = {
        "title": page.title,
        "slug": page.slug,
        "intro": getattr(page, "intro", ""),
        "body": streamfield([]),
        "comments": inline_formset([]),
    }
    if hasattr(page, "date"):
        data["date"] = str(page.date)
    data.update(overrides)
    return nested_form_data(data)


def png_upload():
    return SimpleUploadedFile(
        "upload.png", get_test_image_file().file.getvalue(), content_type="image/png"
    )


def group_form(group, permission):
    """The group edit form with no object permissions (management forms only) plus `permission`."""
    data = {"name": group.name, "permissions": [permission.pk]}
    for prefix in (
        "page_permissions",
        "collection_permissions",
        "image_permissions",
        "document_permissions",
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data


def other(world, side):
    return world.b if side is world.a else world.a


def revisions(page):
    return list(page.revisions.order_by("pk").values_list("pk", flat=True))


@dataclass
class Action:
    name: str
    run: Callable  # (client, world, side, user) -> response
    kind: str = "access"  # access | content | write
    marker: Callable | None = None  # content: (side) -> text that must (not) appear
    effect: Callable | None = None  # write: (world, side) -> bool, did it happen?


def get(url_of):
    return lambda client, world, side, user: client.get(url_of(world, side, user))


ACTIONS = [
    # --- page explorer and editor -------------------------------------------------------
    Action("explorer: section listing", get(lambda w, s, u: f"/admin/pages/{s.section.pk}/")),
    Action("explorer: draft page", get(lambda w, s, u: f"/admin/pages/{s.draft_news.pk}/")),
    Action(
        "admin page search",
        get(lambda w, s, u: f"/admin/pages/search/?q={s.marker}"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action("dashboard", get(lambda w, s, u: "/admin/"), "content", marker=lambda s: s.marker),
    Action("edit view", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/edit/")),
    Action(
        "publish",
        lambda c, w, s, u: c.post(
            f"/admin/pages/{s.regional.pk}/edit/",
            page_form(
                s.regional, title="Republished title", **{"action-publish": "action-publish"}
            ),
        ),
        "write",
        effect=lambda w, s: Page.objects.get(pk=s.regional.pk).title == "Republished title",
    ),
    Action(
        "add child page",
        get(lambda w, s, u: f"/admin/pages/add/partners/partnerpage/{s.section.pk}/"),
    ),
    Action("move: choose destination", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/move/")),
    Action(
        "move into the other section",
        lambda c, w, s, u: c.post(
            f"/admin/pages/{s.regional.pk}/move/{other(w, s).section.pk}/confirm/"
        ),
        "write",
        effect=lambda w, s: (
            Page.objects.get(pk=s.regional.pk).get_parent().pk == other(w, s).section.pk
        ),
    ),
    Action("copy form", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/copy/")),
    Action(
        "copy into the other section",
        lambda c, w, s, u: c.post(
            f"/admin/pages/{s.regional.pk}/copy/",
            {
                "new_title": "Copied",
                "new_slug": "copied",
                "new_parent_page": other(w, s).section.pk,
            },
        ),
        "write",
        effect=lambda w, s: (
            Page.objects.child_of(other(w, s).section).filter(slug="copied").exists()
        ),
    ),
    Action("delete: confirmation", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/delete/")),
    Action(
        "delete draft page",
        lambda c, w, s, u: c.post(f"/admin/pages/{s.draft_news.pk}/delete/"),
        "write",
        effect=lambda w, s: not Page.objects.filter(pk=s.draft_news.pk).exists(),
    ),
    Action(
        "unpublish",
        lambda c, w, s, u: c.post(f"/admin/pages/{s.regional.pk}/unpublish/"),
        "write",
        effect=lambda w, s: not Page.objects.get(pk=s.regional.pk).live,
    ),
    Action("history", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/history/")),
    Action(
        "revision view",
        get(
            lambda w, s, u: (
                f"/admin/pages/{s.regional.pk}/revisions/{revisions(s.regional)[-1]}/view/"
            )
        ),
    ),
    Action(
        "revisions compare",
        get(
            lambda w, s, u: "/admin/pages/{}/revisions/compare/{}...{}/".format(
                s.regional.pk, *revisions(s.regional)[-2:]
            )
        ),
    ),
    Action(
        "preview",
        lambda c, w, s, u: c.post(
            f"/admin/pages/{s.regional.pk}/edit/preview/", page_form(s.regional)
        ),
    ),
    Action(
        "bulk delete confirmation",
        get(lambda w, s, u: f"/admin/bulk/wagtailcore/page/delete/?id={s.draft_news.pk}"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action(
        "site history report",
        get(lambda w, s, u: "/admin/reports/site-history/"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action(
        "aging pages report",
        get(lambda w, s, u: "/admin/reports/aging-pages/"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action("page usage", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/usage/")),
    Action(
        "workflow history", get(lambda w, s, u: f"/admin/pages/{s.regional.pk}/workflow_history/")
    ),
    Action(
        "page types usage report",
        get(lambda w, s, u: "/admin/reports/page-types-usage/"),
        "content",
        marker=lambda s: s.marker,
    ),
    # --- page chooser and the admin API ---------------------------------------------------
    Action(
        "page chooser: browse section", get(lambda w, s, u: f"/admin/choose-page/{s.section.pk}/")
    ),
    Action(
        "page chooser: browse news (drafts)",
        get(lambda w, s, u: f"/admin/choose-page/{s.news_index.pk}/"),
    ),
    Action(
        "page chooser: search",
        get(lambda w, s, u: f"/admin/choose-page/search/?q={s.marker}"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action(
        "admin API: draft page", get(lambda w, s, u: f"/admin/api/main/pages/{s.draft_news.pk}/")
    ),
    Action(
        "admin API: news listing",
        get(lambda w, s, u: f"/admin/api/main/pages/?child_of={s.news_index.pk}"),
        "content",
        marker=lambda s: s.marker,
    ),
    # --- wagtail-localize -------------------------------------------------------------------
    Action(
        "localize: translate page",
        get(lambda w, s, u: f"/admin/localize/submit/page/{s.regional.pk}/"),
    ),
    Action(
        "localize: sync translations",
        get(lambda w, s, u: f"/admin/localize/update/{source_id(s.section)}/"),
    ),
    Action(
        "localize: translations report",
        get(lambda w, s, u: "/admin/localize/reports/translations/"),
    ),
    # --- images and documents ---------------------------------------------------------------
    Action(
        "image listing", get(lambda w, s, u: "/admin/images/"), "content", marker=lambda s: s.marker
    ),
    Action("image edit", get(lambda w, s, u: f"/admin/images/{s.image.pk}/")),
    Action(
        "image delete",
        lambda c, w, s, u: c.post(f"/admin/images/{s.image.pk}/delete/"),
        "write",
        effect=lambda w, s: not get_image_model().objects.filter(pk=s.image.pk).exists(),
    ),
    Action(
        "image upload into collection",
        lambda c, w, s, u: c.post(
            "/admin/images/add/",
            {"title": "uploaded", "file": png_upload(), "collection": s.association.collection_id},
        ),
        "write",
        effect=lambda w, s: (
            get_image_model()
            .objects.filter(title="uploaded", collection=s.association.collection)
            .exists()
        ),
    ),
    Action(
        "image chooser",
        get(lambda w, s, u: "/admin/images/chooser/"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action(
        "image chooser: choose", get(lambda w, s, u: f"/admin/images/chooser/chosen/{s.image.pk}/")
    ),
    Action(
        "document listing",
        get(lambda w, s, u: "/admin/documents/"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action("document edit", get(lambda w, s, u: f"/admin/documents/edit/{s.document.pk}/")),
    Action(
        "document chooser",
        get(lambda w, s, u: "/admin/documents/chooser/"),
        "content",
        marker=lambda s: s.marker,
    ),
    Action(
        "document chooser: choose",
        get(lambda w, s, u: f"/admin/documents/chooser/chosen/{s.document.pk}/"),
    ),
    # --- rights ---------------------------------------------------------------------------------
    Action("users admin", get(lambda w, s, u: "/admin/users/")),
    Action("edit own user account", get(lambda w, s, u: f"/admin/users/edit/{u.pk}/")),
    Action(
        "groups admin: editors' group",
        get(lambda w, s, u: f"/admin/groups/edit/{s.association.editors_group_id}/"),
    ),
    Action(
        "grant the editors' group a permission",
        lambda c, w, s, u: c.post(
            f"/admin/groups/edit/{s.association.editors_group_id}/",
            group_form(
                s.association.editors_group, Permission.objects.get(codename="change_group")
            ),
        ),
        "write",
        effect=lambda w, s: s.association.editors_group.permissions.filter(
            codename="change_group"
        ).exists(),
    ),
    Action("collections admin", get(lambda w, s, u: "/admin/collections/")),
    Action("sites admin", get(lambda w, s, u: "/admin/sites/")),
    Action("onboarding view", get(lambda w, s, u: "/admin/partners/new/")),
    Action(
        "association branding edit",
        get(lambda w, s, u: f"/admin/partners/edit/{s.association.pk}/"),
    ),
]


def source_id(page):
    from wagtail_localize.models import TranslationSource

    return TranslationSource.objects.get_for_instance(page).pk


# fmt: off
# What must happen, per action: (editor A, moderator A, editor B, member, site admin), each
# as (on A's object, on B's object).
EXPECTED = {
    "explorer: section listing":        [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "explorer: draft page":             [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "admin page search":                [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "dashboard":                        [(HIDDEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, HIDDEN)],
    "edit view":                        [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "publish":                          [(DONE, REFUSED), (LOGIN, LOGIN), (REFUSED, DONE), (LOGIN, LOGIN), (DONE, DONE)],
    "add child page":                   [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "move: choose destination":         [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "move into the other section":      [(REFUSED, REFUSED), (LOGIN, LOGIN), (REFUSED, REFUSED), (LOGIN, LOGIN), (DONE, DONE)],
    "copy form":                        [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "copy into the other section":      [(REFUSED, REFUSED), (LOGIN, LOGIN), (REFUSED, REFUSED), (LOGIN, LOGIN), (DONE, DONE)],
    "delete: confirmation":             [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "delete draft page":                [(DONE, REFUSED), (LOGIN, LOGIN), (REFUSED, DONE), (LOGIN, LOGIN), (DONE, DONE)],
    "unpublish":                        [(DONE, REFUSED), (LOGIN, LOGIN), (REFUSED, DONE), (LOGIN, LOGIN), (DONE, DONE)],
    "history":                          [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "revision view":                    [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "revisions compare":                [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "preview":                          [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "bulk delete confirmation":         [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "site history report":              [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "aging pages report":               [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "page usage":                       [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "workflow history":                 [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "page types usage report":          [(HIDDEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (HIDDEN, SEEN)],
    "page chooser: browse section":     [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "page chooser: browse news (drafts)": [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "page chooser: search":             [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "admin API: draft page":            [(OK, NOT_FOUND), (LOGIN, LOGIN), (NOT_FOUND, OK), (LOGIN, LOGIN), (OK, OK)],
    "admin API: news listing":          [(SEEN, BAD_REQUEST), (LOGIN, LOGIN), (BAD_REQUEST, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "localize: translate page":         [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "localize: sync translations":      [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "localize: translations report":    [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "image listing":                    [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "image edit":                       [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "image delete":                     [(DONE, REFUSED), (LOGIN, LOGIN), (REFUSED, DONE), (LOGIN, LOGIN), (DONE, DONE)],
    "image upload into collection":     [(DONE, REFUSED), (LOGIN, LOGIN), (REFUSED, DONE), (LOGIN, LOGIN), (DONE, DONE)],
    "image chooser":                    [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "image chooser: choose":            [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "document listing":                 [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "document edit":                    [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "document chooser":                 [(SEEN, HIDDEN), (LOGIN, LOGIN), (HIDDEN, SEEN), (LOGIN, LOGIN), (SEEN, SEEN)],
    "document chooser: choose":         [(OK, DENIED), (LOGIN, LOGIN), (DENIED, OK), (LOGIN, LOGIN), (OK, OK)],
    "users admin":                      [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "edit own user account":            [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "groups admin: editors' group":     [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "grant the editors' group a permission": [(REFUSED, REFUSED), (LOGIN, LOGIN), (REFUSED, REFUSED), (LOGIN, LOGIN), (DONE, DONE)],
    "collections admin":                [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "sites admin":                      [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "onboarding view":                  [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
    "association branding edit":        [(DENIED, DENIED), (LOGIN, LOGIN), (DENIED, DENIED), (LOGIN, LOGIN), (OK, OK)],
}
# fmt: on


def classify(response) -> str:
    code = response.status_code
    location = response.get("Location", "")
    if code == 302 and location.startswith("/admin/login/"):
        return LOGIN
    if (code == 302 and location == "/admin/") or code == 403:
        return DENIED
    path = response.request["PATH_INFO"]
    if code == 404 or (code == 302 and location.split("?")[0] == f"/en{path}"):
        return NOT_FOUND
    if code == 400:
        return BAD_REQUEST
    if code == 200:
        return OK
    return f"HTTP {code} {location}".strip()


def run_cell(client, world, action: Action, side, user) -> str:
    with transaction.atomic():
        response = action.run(client, world, side, user)
        outcome = classify(response)
        if action.kind == "write":
            happened = action.effect(world, side)
            outcome = DONE if happened else (LOGIN if outcome == LOGIN else REFUSED)
        elif action.kind == "content" and outcome == OK:
            # marker + " ": a title, never the echoed search query itself.
            outcome = SEEN if f"{action.marker(side)} " in response.content.decode() else HIDDEN
        transaction.set_rollback(True)
    return outcome


def test_every_action_has_an_expectation():
    assert sorted(EXPECTED) == sorted(a.name for a in ACTIONS)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_isolation_matrix(client, world, role):
    user = world.user(role)
    client.force_login(user)
    index = ROLES.index(role)
    actual, expected = {}, {}
    for action in ACTIONS:
        for key, side in (("A", world.a), ("B", world.b)):
            actual[(action.name, key)] = run_cell(client, world, action, side, user)
            expected[(action.name, key)] = EXPECTED[action.name][index][0 if key == "A" else 1]
    wrong = {
        cell: f"expected {expected[cell]}, got {actual[cell]}"
        for cell in expected
        if actual[cell] != expected[cell]
    }
    assert not wrong, "\n".join(
        f"{role} | {name} | {key}: {msg}" for (name, key), msg in wrong.items()
    )
