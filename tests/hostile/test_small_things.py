"""Plain-text mail subjects are not HTML-escaped; uploads are served as attachments."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from tests.factories import (
    EventFactory,
    ExpertProfileFactory,
    GroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror="alert(1)"> Tom & Jerry\'s'


def test_contact_mail_subject_is_plain_text(site_tree, django_capture_on_commit_callbacks):
    from knowledge.services import contact_request_create

    sender = UserFactory(display_name="Ama & Co")
    recipient = ExpertProfileFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        contact_request_create(sender=sender, recipient=recipient, subject=HOSTILE, message="Hi")
    subject = mail.outbox[-1].subject
    assert HOSTILE in subject and "Ama & Co" in subject
    assert "&lt;" not in subject and "&amp;" not in subject and "&#x27;" not in subject


def test_invitation_and_registration_subjects_are_plain_text(
    site_tree, django_capture_on_commit_callbacks
):
    from groups.services import invitation_create
    from knowledge.services import event_register

    owner = UserFactory()
    group = GroupFactory(name="Roads & <Rails>", owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(group=group, by=owner, email="new@example.org")
    assert "Roads & <Rails>" in mail.outbox[-1].subject
    event = EventFactory(title="Cities & <Climate>")
    with django_capture_on_commit_callbacks(execute=True):
        event_register(event=event, user=UserFactory())
    assert "Cities & <Climate>" in mail.outbox[-1].subject
    assert not any("&lt;" in m.subject or "&amp;" in m.subject for m in mail.outbox)


@pytest.mark.parametrize("name", ["report.pdf", "notes.txt", "sheet.csv"])
def test_documents_are_served_as_attachments(client, site_tree, name):
    from wagtail.documents.models import Document

    document = Document.objects.create(
        title="Looks harmless",
        file=ContentFile(b"<html><script>alert(document.cookie)</script></html>", name=name),
    )
    response = client.get(f"/documents/{document.pk}/{document.filename}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
