from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site pages")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale, Page, Site

        from .chrome_cache import chrome_version_bump

        def page_changed(sender, instance, **kwargs):
            if isinstance(instance, Page):
                chrome_version_bump()

        # Any page (every Page subclass sends with its own class), site or locale change
        # may change cached chrome (the main menu, group page links).
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(page_changed, weak=False, dispatch_uid=f"cms.nav.page.{name}")
            for model in (Site, Locale):
                signal.connect(
                    chrome_version_bump,
                    sender=model,
                    dispatch_uid=f"cms.nav.{model.__name__}.{name}",
                )
