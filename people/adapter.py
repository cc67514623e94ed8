from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """After login, continue in the member's preferred language."""

    def get_login_redirect_url(self, request):
        url = super().get_login_redirect_url(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and url == reverse("people:dashboard"):
            with translation.override(user.preferred_language):
                return reverse("people:dashboard")
        return url
