"""Reports of posts to the group's moderators: create, resolve."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.idempotency import idempotent

from .. import permissions as perms
from .. import signals
from ..models import (
    Post,
    Report,
)
from ._common import (
    REPORT_DETAILS_MAX_LENGTH,
    Action,
    _clean_reason,
    _emit,
    _locked_post,
    _log,
    _require_login,
)
from .moderation import post_hide

# --- reports --------------------------------------------------------------------------


@idempotent(user="reporter")
@transaction.atomic
def report_create(*, post: Post, reporter, reason: str, details: str = "") -> Report:
    """Report a post to the group's moderators (one open report per person and post)."""
    _require_login(reporter)
    post = _locked_post(post)
    perms.check_can_report(reporter, post)
    if reason not in Report.Reason.values:
        raise ValidationError(_("Please choose a reason."), code="reason")
    details = (details or "").strip()
    if reason == Report.Reason.OTHER and not details:
        raise ValidationError(_("Please tell the moderators what is wrong."), code="details")
    if len(details) > REPORT_DETAILS_MAX_LENGTH:
        raise ValidationError(
            _("The explanation is too long: at most %(max)d characters.")
            % {"max": REPORT_DETAILS_MAX_LENGTH},
            code="details",
        )
    if Report.objects.filter(post=post, reporter=reporter, status=Report.Status.OPEN).exists():
        raise ValidationError(
            _("You have already reported this post; the moderators will look at it."),
            code="duplicate",
        )
    report = Report.objects.create(
        post=post,
        group=post.group,
        reporter=reporter,
        reason=reason,
        details=details,
        snapshot=post.body,
    )
    _emit(
        signals.report_created,
        Report,
        report=report,
        report_id=report.pk,
        post_id=post.pk,
        thread_id=post.thread_id,
        group_id=post.group_id,
        reporter_id=reporter.pk,
    )
    return report


@transaction.atomic
def report_resolve(*, report: Report, by, hide: bool, note: str = "") -> Report:
    """A moderator resolves a report: hide the post (closing every open report on it) or
    dismiss this report. The note is logged and, when hiding, shown to the author."""
    _require_login(by)
    report = (
        Report.objects.select_for_update().select_related("post__thread__group").get(pk=report.pk)
    )
    perms.check_can_moderate_group(by, report.post.group)
    if report.status != Report.Status.OPEN:
        raise ValidationError(_("This report has already been resolved."), code="resolved")
    note = _clean_reason(
        note, required=hide, message=_("Please say why the post is hidden; its author will see it.")
    )
    now = timezone.now()
    post = report.post
    if hide:
        if not post.is_hidden and not post.is_deleted:
            post_hide(post=post, by=by, reason=note)
        targets = list(
            Report.objects.select_for_update().filter(post=post, status=Report.Status.OPEN)
        )
        status = Report.Status.HIDDEN
        _log(
            group=post.group,
            actor=by,
            action=Action.REPORT_UPHELD,
            thread=post.thread,
            post=post,
            subject=post.author,
            reason=note,
        )
    else:
        targets = [report]
        status = Report.Status.DISMISSED
        _log(
            group=post.group,
            actor=by,
            action=Action.REPORT_DISMISSED,
            thread=post.thread,
            post=post,
            subject=report.reporter,
            reason=note,
        )
    for target in targets:
        target.status, target.resolved_by, target.resolved_at, target.resolution_note = (
            status,
            by,
            now,
            note,
        )
        target.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        _emit(
            signals.report_resolved,
            Report,
            report=target,
            report_id=target.pk,
            post_id=post.pk,
            thread_id=post.thread_id,
            group_id=post.group_id,
            reporter_id=target.reporter_id,
            by_id=by.pk,
            status=status,
            note=note,
        )
    report.refresh_from_db()
    return report
