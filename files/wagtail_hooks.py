"""Wiring only: documents are served by the policy of the collection they belong to."""

from django.conf import settings
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.documents.models import document_served

from core.refusals import refuse

from . import policy, selectors
from .serving import DOCUMENT_ACCESS, file_response


# After Wagtail's own collection-privacy hook (order 0), which offers login or password.
@hooks.register("before_serve_document", order=100)
def serve_document_by_policy(document, request):
    """404 unless the policy lets the user read it; else the file under its original name."""
    decision = policy.access(request.user, document, request=request)
    if not decision.readable:
        return refuse(request, 404, _("There is no such file."), reason="document not readable")
    if not settings.PLAZA_FILES_ACCEL_REDIRECT:
        # Wagtail's view streams it; files.views.document names it (a FileResponse is not
        # an HttpResponse, so a hook cannot return one).
        setattr(request, DOCUMENT_ACCESS, (document, decision))
        return None
    document_served.send(sender=get_document_model(), instance=document, request=request)
    return file_response(
        request,
        storage=document.file.storage,
        name=document.file.name,
        filename=selectors.original_name(document.file),
        # Always a download: nobody checked that a ".pdf" is not HTML (WAGTAILDOCS_*).
        attachment=True,
        public=decision.public,
        content_type=document.content_type,
    )
