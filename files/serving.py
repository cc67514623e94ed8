"""Sending a stored file once the policy has said yes.

Development and tests stream it from Python. In production the web server sends it:
`PLAZA_FILES_ACCEL_REDIRECT` names an internal location (nginx `X-Accel-Redirect`, Caddy
`handle_response`) mapped to MEDIA_ROOT, which the web server must never serve directly
(DEVELOPERS.md, "Files in production").
"""

from __future__ import annotations

import hashlib
import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import content_disposition_header

# Where the document hook leaves its decision for files.views.document (streamed serving).
DOCUMENT_ACCESS = "_plaza_document_access"
PUBLIC_CACHE = "public, max-age=86400"
# The browser may keep it (slow connections); shared caches never store it.
PRIVATE_CACHE = "private, max-age=3600"


def _etag(name: str) -> str:
    # Storage names are random and never reused for other bytes: the name is the version.
    return f'"{hashlib.sha256(name.encode()).hexdigest()[:32]}"'


def cache_control_for(*, public: bool) -> str:
    return PUBLIC_CACHE if public else PRIVATE_CACHE


def file_response(
    request,
    *,
    storage,
    name: str,
    filename: str,
    attachment: bool,
    public: bool,
    content_type: str | None = None,
) -> HttpResponse:
    """The stored file `name` (or 304), with its download name, caching and sniffing headers."""
    etag = _etag(name)
    cache_control = cache_control_for(public=public)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        return response
    content_type = content_type or mimetypes.guess_type(name)[0]
    content_type = content_type or "application/octet-stream"
    accel = getattr(settings, "PLAZA_FILES_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    # Never a document the browser runs: an uploaded SVG or HTML renamed .png stays inert.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
