"""Wiring: allauth events that concern working groups."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver


@receiver(email_confirmed, dispatch_uid="groups.claim_invitations_on_confirm")
def claim_invitations_on_confirm(sender, request, email_address, **kwargs) -> None:
    """An invitation emailed before sign-up belongs to the account that confirms the address."""
    from .services import invitations_claim

    invitations_claim(user=email_address.user, email=email_address.email)


@receiver(user_signed_up, dispatch_uid="groups.claim_invitations_on_signup")
def claim_invitations_on_signup(sender, request, user, **kwargs) -> None:
    """Sign-up via the invitation link proves the address only once it is confirmed; but
    when verification is off, or the address is already verified, claim straight away."""
    from allauth.account.models import EmailAddress

    from .services import invitations_claim

    for address in EmailAddress.objects.filter(user=user, verified=True):
        invitations_claim(user=user, email=address.email)


def collections_backfill(sender, using="default", **kwargs) -> None:
    """After migrate: every group has its files collection (groups made before there were
    collections, or installed into a site that already had groups)."""
    from .models import WorkingGroup
    from .services import group_collection_ensure

    for group in WorkingGroup.objects.using(using).filter(collection__isnull=True):
        group_collection_ensure(group=group)
