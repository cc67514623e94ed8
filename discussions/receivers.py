"""What discussions does when other apps' rows change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cms.chrome_cache import chrome_version_bump
from groups.models import GroupPage

# Thread pages cache the group page's title and URL with the page chrome (views.py).
GROUP_LINKS = "discussions.group_links"


@receiver(post_save, sender=GroupPage, dispatch_uid="discussions.group_link.save")
@receiver(post_delete, sender=GroupPage, dispatch_uid="discussions.group_link.delete")
def group_pages_changed(**kwargs) -> None:
    """A group page was saved or deleted: forget the cached links."""
    chrome_version_bump(GROUP_LINKS)
