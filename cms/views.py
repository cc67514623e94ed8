from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.models import Locale, Page

from core.http import safe_next

from .i18n import home_url, translated_url


@require_POST
def switch_language(request):
    """Show the same page in the chosen language and remember the choice (works without JS)."""
    language = request.POST.get("language", "")
    next_url = safe_next(request, "/")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    target = translated_url(request, next_url, language)
    request.plaza_set_language = language
    if request.user.is_authenticated and request.user.preferred_language != language:
        from people.services import user_update_profile

        user_update_profile(user=request.user, preferred_language=language)
    return HttpResponseRedirect(target)


def searchable_pages(user):
    """Live, public pages in the current language that `user` may see, at query time.

    The index is never trusted to be in step with permissions: each app that owns pages
    with their own visibility (a secret group's page, a members-only event) registers
    `@hooks.register("plaza_hidden_pages")` returning `(user) -> QuerySet` of the page
    ids `user` may not see, and they are excluded before ranking (cms imports none of them).
    """
    pages = Page.objects.live().public().filter(locale=Locale.get_active())
    for hidden in hooks.get_hooks("plaza_hidden_pages"):
        pages = pages.exclude(id__in=hidden(user))
    return pages


def search(request):
    """Site search over the pages the visitor may see, in the current language."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = searchable_pages(request.user).search(query)
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(
        request, "cms/search.html", {"query": query, "results": page, "home_url": home_url(request)}
    )
