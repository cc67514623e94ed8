from django import template
from django.utils import translation

from .. import selectors

register = template.Library()


@register.inclusion_tag("groups/includes/my_groups.html", takes_context=True)
def my_groups(context):
    """The dashboard's "My groups": memberships, requests and their status, invitations."""
    request = context["request"]
    data = selectors.my_groups(request.user, request, translation.get_language())
    return {"request": request, **data}
