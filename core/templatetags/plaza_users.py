from django import template

from core import users

register = template.Library()


@register.filter
def display_name(user) -> str:
    """`{{ post.author|display_name|default:"…" }}`: core.users.display_name."""
    return users.display_name(user)


@register.filter
def handle(user) -> str:
    return users.handle(user)
