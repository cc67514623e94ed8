"""The one door to MEDIA_URL: a stored image is sent only when the policy says so."""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.documents.views.serve import serve as wagtail_serve_document

from core.refusals import refuse

from . import policy, selectors
from .serving import DOCUMENT_ACCESS, cache_control_for, file_response


def _not_found(request):
    return refuse(request, 404, _("There is no such file."), reason="no readable file")


@require_safe
def media(request, path: str):
    """/media/<path>: images and renditions by their policy, the public folders as is,
    everything else (documents, unknown files) 404 — a private file is not even confirmed."""
    clean = posixpath.normpath(path).lstrip("/")
    if clean != path or clean.startswith(".."):
        return _not_found(request)
    public_folders = getattr(settings, "PLAZA_FILES_PUBLIC_FOLDERS", ())
    if any(clean.startswith(folder.rstrip("/") + "/") for folder in public_folders):
        return file_response(
            request,
            storage=default_storage,
            name=clean,
            filename=posixpath.basename(clean),
            attachment=False,
            public=True,
        )
    found = selectors.media_item(clean)
    if found is None:
        return _not_found(request)
    image, field_file = found
    decision = policy.access(request.user, image, request=request)
    if not decision.readable:
        return _not_found(request)
    return file_response(
        request,
        storage=field_file.storage,
        name=field_file.name,
        filename=selectors.original_name(image.file),
        attachment=False,
        public=decision.public,
    )


def document(request, document_id, document_filename):
    """/documents/<id>/<name>: Wagtail's serve view, whose hooks ask the policy
    (files.wagtail_hooks), answered under the uploaded name and cached as the policy allows."""
    response = wagtail_serve_document(request, document_id, document_filename)
    found = getattr(request, DOCUMENT_ACCESS, None)
    if found is not None and response.status_code in (200, 304):
        document, decision = found
        filename = selectors.original_name(document.file)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = cache_control_for(public=decision.public)
    return response
