"""File storage behind one small interface: a local folder or S3.

`STORAGE_URL` picks the backend: `file:///path` (the embedded default) or
`s3://bucket/prefix` (boto3; `AWS_ENDPOINT_URL` points it at any S3-compatible
server). Every object is private: S3 objects are encrypted at rest and handed
out through presigned links of minutes; local files through links signed with
the app's secret that expire the same way. A link may carry the name the file
is saved under (see `download_name`): S3 sends it from the presigned link's
response-content-disposition, the local route (ops/files.py) from the signed
token; either way the file still opens in the browser (inline), as a phone
shows a PDF.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode, urlparse

from flask import abort, current_app, redirect, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.core.transactions import after_commit, after_rollback

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,500}$")
DEFAULT_LINK_SECONDS = 300
NAME_LENGTH = 120  # characters of a download name before its extension
_NOT_IN_NAMES = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|;,%]+")  # unsafe or confusing in a name
_NOT_ASCII_WORD = re.compile(r"[^A-Za-z0-9._]+")


class StorageError(RuntimeError):
    """The storage backend failed or refused an operation."""


def check_key(key: str) -> str:
    """Refuse keys that could escape the storage root or confuse S3."""
    if not KEY_PATTERN.match(key) or ".." in key.split("/") or "//" in key:
        raise StorageError(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str, tags: dict | None = None) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def url(
        self, key: str, expires_in: int = DEFAULT_LINK_SECONDS, filename: str | None = None
    ) -> str: ...
    def check(self) -> None: ...


class LocalStorage:
    """Files in a folder, with a JSON sidecar for content type and tags."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str, tags: dict | None = None) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"content_type": content_type, "tags": tags or {}})
        # Write then rename, so a reader never sees half a file.
        for target, payload in ((path.with_name(path.name + ".meta"), meta.encode()), (path, data)):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(tmp, target)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"no object {key!r}") from exc

    def metadata(self, key: str) -> dict:
        path = self._path(key)
        try:
            return json.loads(path.with_name(path.name + ".meta").read_text())
        except FileNotFoundError:
            return {"content_type": "application/octet-stream", "tags": {}}

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".meta").unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def url(
        self, key: str, expires_in: int = DEFAULT_LINK_SECONDS, filename: str | None = None
    ) -> str:
        """A link signed with the app's secret; the name to save under travels in it."""
        data = {"k": check_key(key), "e": expires_in}
        if filename:
            data["n"] = filename
        return url_for("files.serve", token=_serializer().dumps(data))

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".health-"):
            pass


class S3Storage:
    """Private, server-side encrypted objects in one bucket under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # SigV4 presigned links carry their own expiry (X-Amz-Expires).
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, config=Config(signature_version="s3v4")
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str, tags: dict | None = None) -> None:
        extra = {"Tagging": urlencode(tags)} if tags else {}
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
            ServerSideEncryption="AES256",
            **extra,
        )

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as exc:
            raise StorageError(f"no object {key!r}") from exc

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def url(
        self, key: str, expires_in: int = DEFAULT_LINK_SECONDS, filename: str | None = None
    ) -> str:
        """A presigned link; S3 answers it with the Content-Disposition signed into it."""
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


def storage_from_url(url: str, endpoint_url: str | None = None) -> Storage:
    """Build the backend named by a STORAGE_URL."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(parsed.path)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StorageError("STORAGE_URL s3:// needs a bucket name")
        return S3Storage(parsed.netloc, parsed.path, endpoint_url)
    raise StorageError(f"unsupported STORAGE_URL scheme {parsed.scheme!r}")


def get_storage() -> Storage:
    """The app's storage backend (built once per app)."""
    storage = current_app.extensions.get("storage")
    if storage is None:
        storage = storage_from_url(
            current_app.config["STORAGE_URL"], current_app.config.get("AWS_ENDPOINT_URL")
        )
        current_app.extensions["storage"] = storage
    return storage


def store(key: str, data: bytes, content_type: str, tags: dict | None = None) -> str:
    """Write an object that belongs to the current transaction.

    If the transaction does not commit, the object is deleted again, so a
    failed request leaves nothing behind in storage.
    """
    storage = get_storage()
    storage.put(key, data, content_type, tags)
    after_rollback(lambda: storage.delete(key))
    return key


def discard(key: str) -> None:
    """Delete an object once the current transaction commits (kept if it fails)."""
    storage = get_storage()
    after_commit(lambda: storage.delete(key))


def redirect_to_file(
    key: str | None, expires_in: int = DEFAULT_LINK_SECONDS, filename: str | None = None
):
    """Answer with a redirect to a short-lived link that no cache may keep (404 if no file).

    Pages point at a route that checks permission and then lands here, so a
    cached page never carries a usable link to a private file. `filename`: the
    name the file is saved under (see `download_name`), else its key's last part.
    """
    if not key:
        abort(404)
    link = get_storage().url(key, expires_in=expires_in, filename=filename)
    response = redirect(link, 302)
    response.headers["Cache-Control"] = "no-store"
    return response


def download_name(*parts: str | None, extension: str = "pdf") -> str:
    """A file name people recognise, from words such as a player's name and "card":
    "Mia Parent", "card" -> "Mia-Parent-card.pdf".

    Letters of any script are kept (the header sends them as UTF-8, see
    `content_disposition`); spaces become hyphens, and characters that file systems
    or headers trip on are dropped. Never empty: "download.pdf" at worst.
    """
    words = " ".join(part for part in parts if part)
    stem = _NOT_IN_NAMES.sub(" ", unicodedata.normalize("NFC", words))
    stem = "-".join(stem.split()).strip(".-")[:NAME_LENGTH].strip(".-")
    return f"{stem or 'download'}.{extension}"


def ascii_name(filename: str) -> str:
    """`filename` in plain ASCII, for clients that ignore filename*: accents dropped
    ("Zoë" -> "Zoe"), other letters and signs turned into hyphens."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    plain = _NOT_ASCII_WORD.sub("-", plain).strip(".-")
    plain = re.sub(r"-{2,}", "-", plain) or "download"
    extension = _NOT_ASCII_WORD.sub("", extension)
    return f"{plain}.{extension}" if extension else plain


def content_disposition(filename: str, disposition: str = "inline") -> str:
    """The Content-Disposition for a file shown in the browser and saved as `filename`
    (RFC 6266): an ASCII `filename` for old clients, and `filename*` in UTF-8."""
    return (
        f'{disposition}; filename="{ascii_name(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="storage-link")


def read_link(token: str) -> tuple[str, str | None] | None:
    """The key a signed local link points to and the name to save it under, or None if
    the link is forged or expired."""
    try:
        data, signed_at = _serializer().loads(token, return_timestamp=True)
        age = (datetime.now(UTC) - signed_at).total_seconds()
        if age > int(data["e"]):
            return None
        name = data.get("n")
        return check_key(data["k"]), name if isinstance(name, str) and name else None
    except (BadSignature, StorageError, KeyError, TypeError, ValueError, AttributeError):
        return None


def load_link(token: str) -> str | None:
    """The key a signed local link points to, or None if forged or expired."""
    link = read_link(token)
    return link[0] if link else None
