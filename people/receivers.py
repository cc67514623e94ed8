from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_logged_in, dispatch_uid="people.preferred_language_on_login")
def use_preferred_language(sender, request, user, **kwargs) -> None:
    """From login on, the interface speaks the member's preferred language."""
    if request is None or not getattr(user, "preferred_language", ""):
        return
    translation.activate(user.preferred_language)
    request.LANGUAGE_CODE = user.preferred_language
    # PreferredLanguageMiddleware turns this into the language cookie on the response.
    request.plaza_set_language = user.preferred_language
