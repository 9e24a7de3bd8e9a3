"""Storage: the same behaviour from the local folder and from S3 (moto_server)."""

from __future__ import annotations

import urllib.request
from urllib.parse import quote

import pytest

from portal.core import storage as storage_module
from portal.core.storage import (
    LocalStorage,
    S3Storage,
    StorageError,
    content_disposition,
    discard,
    load_link,
    redirect_to_file,
    store,
)
from portal.extensions import db


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    return request.getfixturevalue("s3")


def test_put_get_exists_delete(backend):
    """Does each backend store, read back and delete an object?"""
    backend.put("leagues/1/a.png", b"\x89PNG data", "image/png")
    assert backend.exists("leagues/1/a.png")
    assert backend.get("leagues/1/a.png") == b"\x89PNG data"
    backend.delete("leagues/1/a.png")
    assert not backend.exists("leagues/1/a.png")
    with pytest.raises(StorageError):
        backend.get("leagues/1/a.png")
    backend.delete("leagues/1/a.png")  # deleting twice is fine


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "a//b", "", "sp ace"])
def test_keys_that_could_escape_are_refused(backend, key):
    with pytest.raises(StorageError):
        backend.put(key, b"x", "text/plain")


def test_health_check(backend):
    backend.check()


def test_s3_objects_are_private_encrypted_and_tagged(s3, s3_endpoint):
    """Are S3 objects encrypted at rest, tagged, and readable only through a presigned link?"""
    s3.put("docs/1/id.pdf", b"%PDF-1.7", "application/pdf", tags={"governmentid": "true"})
    client = s3.client
    head = client.head_object(Bucket=s3.bucket, Key="prefix/docs/1/id.pdf")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"
    tags = client.get_object_tagging(Bucket=s3.bucket, Key="prefix/docs/1/id.pdf")["TagSet"]
    assert tags == [{"Key": "governmentid", "Value": "true"}]
    acl = client.get_object_acl(Bucket=s3.bucket, Key="prefix/docs/1/id.pdf")
    assert all("AllUsers" not in str(grant.get("Grantee")) for grant in acl["Grants"])
    url = s3.url("docs/1/id.pdf", expires_in=120)
    assert "X-Amz-Expires=120" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"%PDF-1.7"


def test_s3_check_fails_for_a_missing_bucket(s3_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with pytest.raises(Exception):  # noqa: B017 (botocore's ClientError)
        S3Storage("no-such-bucket", "", s3_endpoint).check()


def test_local_links_are_signed_and_expire(app, client):
    """Is a local file served only through an unforged, unexpired link?"""
    local = storage_module.get_storage()
    local.put("leagues/9/logo.png", b"png-bytes", "image/png")
    with app.test_request_context():
        url = local.url("leagues/9/logo.png", expires_in=60)
        expired = local.url("leagues/9/logo.png", expires_in=-1)
    response = client.get(url)
    assert response.status_code == 200 and response.data == b"png-bytes"
    assert response.mimetype == "image/png"
    assert client.get(expired).status_code == 404
    assert client.get(url[:-3] + "abc").status_code == 404
    token = url.rsplit("/", 1)[1]
    assert load_link(token) == "leagues/9/logo.png"
    assert response.headers["Cache-Control"] == "private, max-age=300"


def test_private_files_are_never_cached(app, client):
    """Are identity documents served with no-store?"""
    local = storage_module.get_storage()
    local.put("private/leagues/9/uploads/id.pdf", b"%PDF-1.7", "application/pdf")
    with app.test_request_context():
        url = local.url("private/leagues/9/uploads/id.pdf")
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_stored_object_is_removed_when_the_transaction_rolls_back(app):
    """Does a failed change leave nothing behind in storage?"""
    local = storage_module.get_storage()
    db.session.execute(db.text("SELECT 1"))  # open a transaction
    store("leagues/1/new.png", b"new", "image/png")
    assert local.exists("leagues/1/new.png")
    db.session.rollback()
    assert not local.exists("leagues/1/new.png")


def test_discarded_object_goes_only_after_commit(app):
    """Is an old file kept if the change fails, and deleted once it commits?"""
    local = storage_module.get_storage()
    local.put("leagues/1/old.png", b"old", "image/png")
    db.session.execute(db.text("SELECT 1"))
    discard("leagues/1/old.png")
    db.session.rollback()
    assert local.exists("leagues/1/old.png")
    db.session.execute(db.text("SELECT 1"))
    discard("leagues/1/old.png")
    db.session.commit()
    assert not local.exists("leagues/1/old.png")


# -- the name a file is saved under ------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "name", "plain"),
    [
        (("Mia Parent", "card"), "Mia-Parent-card.pdf", "Mia-Parent-card.pdf"),
        (("Zoë Núñez", "card"), "Zoë-Núñez-card.pdf", "Zoe-Nunez-card.pdf"),
        (("王小明", "card"), "王小明-card.pdf", "card.pdf"),
        (('a/b\\c "x" <y>\r\nSet-Cookie: z', "card"), "a-b-c-x-y-Set-Cookie-z-card.pdf", None),
        (("", None), "download.pdf", "download.pdf"),
    ],
)
def test_download_names_are_readable_and_safe(parts, name, plain):
    """Is a name made of words joined by hyphens, with nothing a header or a file system
    could trip on, and an ASCII twin for old clients?"""
    assert storage_module.download_name(*parts) == name
    header = storage_module.content_disposition(name)
    assert header.startswith("inline; filename=") and "\r" not in header and "\n" not in header
    if plain:
        assert f'filename="{plain}"' in header
    assert header.endswith("filename*=UTF-8''" + quote(name, safe=""))
    assert header.isascii()


def test_local_links_carry_the_name_to_save_under(app, client):
    """Does /files/<token> answer inline with the name the link was made with (and the
    key's last part without one), never the token?"""
    local = storage_module.get_storage()
    local.put("private/leagues/9/cards/0123abcd.pdf", b"%PDF-1.7", "application/pdf")
    with app.test_request_context():
        named = local.url("private/leagues/9/cards/0123abcd.pdf", filename="Zoë-Lee-card.pdf")
        unnamed = local.url("private/leagues/9/cards/0123abcd.pdf")
    response = client.get(named)
    assert response.status_code == 200 and response.data == b"%PDF-1.7"
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Zoe-Lee-card.pdf\"; filename*=UTF-8''Zo%C3%AB-Lee-card.pdf"
    )
    assert response.headers["Content-Disposition"] == content_disposition("Zoë-Lee-card.pdf")
    plain = client.get(unnamed).headers["Content-Disposition"]
    assert plain == "inline; filename=\"0123abcd.pdf\"; filename*=UTF-8''0123abcd.pdf"


def test_s3_links_carry_the_name_to_save_under(s3):
    """Does S3 answer a presigned link with the Content-Disposition signed into it?"""
    s3.put("private/cards/0123abcd.pdf", b"%PDF-1.7", "application/pdf")
    url = s3.url("private/cards/0123abcd.pdf", expires_in=60, filename="Mia-Parent-card.pdf")
    assert "response-content-disposition=" in url
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"%PDF-1.7"
        assert response.headers["Content-Disposition"] == (
            "inline; filename=\"Mia-Parent-card.pdf\"; filename*=UTF-8''Mia-Parent-card.pdf"
        )
    with urllib.request.urlopen(s3.url("private/cards/0123abcd.pdf")) as response:
        assert response.headers.get("Content-Disposition") is None  # unnamed: as before


def test_a_redirect_to_a_file_names_it(app, use_s3):
    """Does redirect_to_file hand the name to the backend's link (S3 here)?"""
    use_s3.put("private/x.pdf", b"%PDF-1.7", "application/pdf")
    with app.test_request_context():
        response = redirect_to_file("private/x.pdf", filename="Riverside-cards-2026-11-21.pdf")
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    with urllib.request.urlopen(response.headers["Location"]) as file:
        assert 'filename="Riverside-cards-2026-11-21.pdf"' in file.headers["Content-Disposition"]
