"""Downloading an attachment of a case: only for those who may see the case, and always as a download.

A customer's file is never rendered by the browser: `Content-Disposition: attachment`, `nosniff`, a sandboxing
Content-Security-Policy, and a neutral content type for anything a browser would run or render as a document
(HTML, SVG, XML, script). Each download is audited (the case and the attachment, not the file name).
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from contactpunt.access import get_attachment_for_user, get_case_for_user
from contactpunt.audit.services import record
from contactpunt.contacts.models import Attachment
from contactpunt.people.models import User

NEUTRAL = "application/octet-stream"
#: Content types served as they are (a browser shows them as data, never runs them); anything else is neutral.
SERVED_AS_IS = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "audio/mpeg",
        "audio/ogg",
        "video/mp4",
    }
)
#: Extensions a browser or the desktop may treat as a document or a program, whatever the type says.
RISKY_EXTENSIONS = frozenset({"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mjs", "hta"})
MAX_NAME = 120


def served_content_type(attachment: Attachment) -> str:
    """The content type the download is sent with: the stored one when it is a known passive type and the file
    name does not claim something else; otherwise application/octet-stream."""
    content_type = attachment.content_type.split(";", 1)[0].strip().lower()
    extension = safe_filename(attachment.filename).rpartition(".")[2].lower()
    if content_type in SERVED_AS_IS and extension not in RISKY_EXTENSIONS:
        return content_type
    return NEUTRAL


def safe_filename(filename: str) -> str:
    """The customer's file name fit for a header: the last path part, without control or format characters,
    quotes or separators, at most 120 characters with its extension kept; "attachment" when nothing is left."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if ch == '"' or unicodedata.category(ch)[0] == "C" else ch for ch in name if ch not in ";:*?<>|")
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = (stem if keep else name)[: MAX_NAME - len(keep) - 1].rstrip(" .") + (f".{keep}" if keep else "")
    return name or "attachment"


@login_required
@require_GET
def download(request: HttpRequest, case_id: str, attachment_id: str) -> FileResponse:
    """Send one attachment of the case as a download; 404 outside the user's scope."""
    user = request.user
    assert isinstance(user, User)  # login_required ran
    case = get_case_for_user(user, case_id)
    attachment = get_attachment_for_user(user, case, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("attachment file missing") from None
    record(actor=user, action="attachment.downloaded", obj=attachment, changes={"case": case.pk})
    name, content_type = safe_filename(attachment.filename), served_content_type(attachment)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    return response
