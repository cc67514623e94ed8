"""Atom feed of newly created groups. Feed readers are anonymous: secret groups never appear."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import permissions as perms
from . import selectors


class GroupFeed(Feed):
    feed_type = Atom1Feed

    def __init__(self, *, index):
        super().__init__()
        self.index = index

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("New working groups on Plaza")

    def link(self):
        return self.index.url

    def subtitle(self):
        return _("Working groups you can find in the directory.")

    def items(self):
        groups = list(perms.viewable_groups(AnonymousUser()).order_by("-created_at", "-pk")[:20])
        return selectors.attach_pages(groups, self.request, translation.get_language())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.purpose

    def item_link(self, item):
        return item.url or self.index.url

    def item_pubdate(self, item):
        return item.created_at

    def item_guid(self, item):
        return f"plaza-group-{item.pk}"

    item_guid_is_permalink = False
