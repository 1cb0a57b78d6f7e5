"""The web form's own upload limit: a file past MAX_ATTACHMENT_BYTES is skipped while the body is read (never
written to a temporary file whole), the other fields are parsed as usual, and the form names the field, so the
visitor keeps everything they typed."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from contactpunt.channels.webform.services import MAX_ATTACHMENT_BYTES


class CappedUploadHandler(FileUploadHandler):
    """Skip each file past `limit` bytes and remember its field (first in request.upload_handlers)."""

    def __init__(self, request: HttpRequest, *, limit: int = MAX_ATTACHMENT_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: set[str] = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large.add(str(self.field_name))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handler makes the file


def cap_uploads(request: HttpRequest) -> CappedUploadHandler:
    """Put the cap before the request's upload handlers (before its body is read); return it."""
    handler = CappedUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler
