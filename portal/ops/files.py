"""Serving local-storage objects through signed, expiring links.

S3 hands out presigned URLs itself; the local backend signs a link with the
app's secret instead, and this route checks it and streams the file.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort

from portal.core.storage import LocalStorage, get_storage, load_link

bp = Blueprint("files", __name__)


@bp.get("/files/<token>")
def serve(token: str):
    storage = get_storage()
    key = load_link(token)
    if key is None or not isinstance(storage, LocalStorage) or not storage.exists(key):
        abort(404)
    meta = storage.metadata(key)
    response = Response(storage.get(key), mimetype=meta["content_type"])
    # Identity documents and staged uploads must not linger in any cache.
    private = key.startswith("private/")
    response.headers["Cache-Control"] = "no-store" if private else "private, max-age=300"
    response.headers["Content-Disposition"] = "inline"
    return response
