from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cms"
    verbose_name = _("Site pages")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale, Page, Site
        from wagtail.signals import post_page_move

        from .chrome_cache import MENU_DEPTH, menu_changed

        def page_changed(sender, instance, **kwargs):
            # Only home and its children are in the menu: a news item or a practice saved
            # deeper down keeps every cached menu.
            if isinstance(instance, Page) and instance.depth <= MENU_DEPTH:
                menu_changed()

        # Every Page subclass sends with its own class, so the page receivers take all
        # senders; sites, locales and moves may change the menu too.
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(page_changed, weak=False, dispatch_uid=f"cms.chrome.page.{name}")
            for model in (Site, Locale):
                signal.connect(
                    menu_changed,
                    sender=model,
                    dispatch_uid=f"cms.chrome.{model.__name__}.{name}",
                )
        post_page_move.connect(menu_changed, dispatch_uid="cms.chrome.page.move")
