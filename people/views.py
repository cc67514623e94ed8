from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .services import PROFILE_FIELDS, user_update_profile


@login_required
def dashboard(request):
    """The member's own start page."""
    return render(request, "people/dashboard.html", {})


@login_required
def profile_edit(request):
    """Edit display name, language, time zone and where the member works."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, **{f: form.cleaned_data[f] for f in PROFILE_FIELDS})
        request.plaza_set_language = request.user.preferred_language
        with translation.override(request.user.preferred_language):
            messages.success(request, _("Your profile has been saved."))
            from django.urls import reverse

            return redirect(reverse("people:profile"))
    return render(
        request, "people/profile_form.html", {"form": form}, status=400 if form.errors else 200
    )
