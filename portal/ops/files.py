"""Serving local-storage objects through signed, expiring links.

S3 hands out presigned URLs itself; the local backend signs a link with the
app's secret instead, and this route checks it and streams the file. The file
opens in the browser (inline: a phone shows a PDF rather than stashing it in
downloads) and is saved under the name the link carries ("Mia-Parent-card.pdf"),
else under its key's last part, never under the token.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort

from portal.core.storage import LocalStorage, content_disposition, get_storage, read_link

bp = Blueprint("files", __name__)


@bp.get("/files/<token>")
def serve(token: str):
    storage = get_storage()
    link = read_link(token)
    if link is None or not isinstance(storage, LocalStorage) or not storage.exists(link[0]):
        abort(404)
    key, filename = link
    meta = storage.metadata(key)
    response = Response(storage.get(key), mimetype=meta["content_type"])
    # Identity documents and staged uploads must not linger in any cache.
    private = key.startswith("private/")
    response.headers["Cache-Control"] = "no-store" if private else "private, max-age=300"
    response.headers["Content-Disposition"] = content_disposition(
        filename or key.rsplit("/", 1)[-1]
    )
    return response
