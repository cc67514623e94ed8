"""The expert pool: a member's expert profile and the contact requests between members."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.idempotency import idempotent

from .. import permissions as perms
from .. import signals
from ..choices import (
    LanguageLevel,
    Topic,
    spoken_language_choices,
)
from ..fields import encode, split
from ..models import (
    ContactRequest,
    ExpertProfile,
    LanguageSkill,
)

# Contact requests a member may send per rolling day (spam brake; replies count too).
from ._common import (
    CONTACT_LIMIT,
    CONTACT_WINDOW,
    RateLimited,
    _emit,
    _enqueue,
    _require_login,
)

# --- expert profile -----------------------------------------------------------------------


@transaction.atomic
def expert_profile_save(
    *,
    user,
    position: str = "",
    expertise: Iterable[str] | str = (),
    bio: str = "",
    available_for_missions: bool = False,
    listed: bool = False,
    languages: Iterable[tuple[str, str]] = (),
    organisation: str | None = None,
    city: str | None = None,
    country: str | None = None,
) -> ExpertProfile:
    """Create or update the member's expert profile and spoken languages (replacing them).

    Organisation, city and country are the member's own (`people.User`) and are updated
    through `people.services.user_update_profile` when given.
    """
    _require_login(user)
    from people.services import user_update_profile

    own = {
        k: v
        for k, v in {"organisation": organisation, "city": city, "country": country}.items()
        if v is not None
    }
    if own:
        user_update_profile(user=user, **own)
    topics = split(expertise) if isinstance(expertise, str) else list(expertise)
    unknown = set(topics) - set(Topic.values)
    if unknown:
        raise ValidationError(
            _("Unknown expertise: %(value)s") % {"value": ", ".join(sorted(unknown))}
        )
    known_languages = {code for code, _name in spoken_language_choices()}
    skills = list(languages)
    for code, level in skills:
        if code not in known_languages or level not in LanguageLevel.values:
            raise ValidationError(
                _("Unknown language or level: %(value)s") % {"value": f"{code}/{level}"}
            )
    if len({code for code, _level in skills}) != len(skills):
        raise ValidationError(_("Each language only once, please."))
    profile, _created = ExpertProfile.objects.get_or_create(user=user)
    profile.position = position.strip()
    profile.expertise = encode(topics, Topic.values)
    profile.bio = bio.strip()
    profile.available_for_missions = bool(available_for_missions)
    profile.listed = bool(listed)
    profile.full_clean(exclude=["user"])
    profile.save()
    LanguageSkill.objects.filter(user=user).exclude(language__in=[c for c, _l in skills]).delete()
    for code, level in skills:
        LanguageSkill.objects.update_or_create(user=user, language=code, defaults={"level": level})
    return profile


# --- contact requests ---------------------------------------------------------------------


@idempotent(user="sender")
@transaction.atomic
def contact_request_create(
    *, sender, recipient, subject: str, message: str, share_email: bool = False
) -> ContactRequest:
    """Send a message to a member through Plaza: stored, signalled (the inbox makes the
    notification) and emailed — without revealing either address unless the sender opts in.

    At most CONTACT_LIMIT per sender per rolling day (RateLimited, which views turn into 429).
    """
    perms.check_can_contact(sender, recipient)
    subject, message = subject.strip(), message.strip()
    if not subject or not message:
        raise ValidationError(_("Please write a subject and a message."))
    # Lock the sender's row so two parallel submissions cannot both pass the count.
    get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
    since = timezone.now() - CONTACT_WINDOW
    if ContactRequest.objects.filter(sender=sender, created_at__gte=since).count() >= CONTACT_LIMIT:
        raise RateLimited(
            _(
                "You have sent %(count)s contact requests in the last 24 hours, "
                "the most Plaza allows. Please try again tomorrow."
            )
            % {"count": CONTACT_LIMIT},
            code="rate_limited",
        )
    contact = ContactRequest.objects.create(
        sender=sender,
        recipient=recipient,
        subject=subject[:160],
        message=message[:4000],
        share_email=share_email,
    )
    from ..tasks import send_contact_email

    _enqueue(send_contact_email, contact.pk)
    _emit(
        signals.contact_requested,
        ContactRequest,
        contact_request=contact,
        contact_request_id=contact.pk,
        from_user=sender,
        from_user_id=sender.pk,
        to_user=recipient,
        to_user_id=recipient.pk,
    )
    return contact
