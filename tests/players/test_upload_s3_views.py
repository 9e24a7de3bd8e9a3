"""Uploads on S3: documents tagged and encrypted, refused files leave the bucket empty,
and staging, adoption and replacement work as they do on disk."""

from __future__ import annotations

import pytest

from portal.core.tenancy import league_scope
from portal.players.models import ProfileStatus
from tests.images import jpeg, pdf
from tests.players.upload_helpers import (
    REFUSED,
    REFUSED_IDS,
    _colour,
    _file,
    _halves,
    _image,
    _only_profile,
    _post_form,
    _token,
    _upload,
)

# -- the same on S3 --------------------------------------------------------------------------


def _bucket_keys(s3) -> list[str]:
    listing = s3.client.list_objects_v2(Bucket=s3.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_on_s3_documents_are_tagged_and_encrypted(signed_in, league, use_s3):
    """On S3, is a proof-of-age document (and its preview) tagged governmentid and encrypted?"""
    html = _upload(signed_in, "document", pdf(), "birth.pdf").get_data(as_text=True)
    keys = _bucket_keys(use_s3)
    assert len(keys) == 2 and all(key.startswith("prefix/private/") for key in keys)
    for key in keys:
        tags = use_s3.client.get_object_tagging(Bucket=use_s3.bucket, Key=key)["TagSet"]
        assert {"Key": "governmentid", "Value": "true"} in tags
        head = use_s3.client.head_object(Bucket=use_s3.bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
    token = _token(html, "document")
    preview = signed_in.get(f"/l/riverside/players/uploads/{token}/preview")
    assert preview.status_code == 302 and use_s3.bucket in preview.headers["Location"]
    assert _post_form(signed_in, document_upload=token).status_code == 303
    profile = _only_profile()
    assert f"prefix/{profile.document_key}" in _bucket_keys(use_s3)
    head = use_s3.client.head_object(Bucket=use_s3.bucket, Key=f"prefix/{profile.document_key}")
    assert head["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize(("kind", "data", "name", "message"), REFUSED[:3], ids=REFUSED_IDS[:3])
def test_on_s3_a_refused_upload_leaves_the_bucket_empty(
    signed_in, league, use_s3, kind, data, name, message
):
    """On S3, does a refused upload (either path) leave the bucket empty?"""
    assert _upload(signed_in, kind, data, name).status_code == 422
    assert _post_form(signed_in, **{kind: _file(data, name)}).status_code == 422
    assert _bucket_keys(use_s3) == []


def test_on_s3_staging_adoption_and_replacement(signed_in, league, use_s3):
    """On S3, does a staged photo become the card photo, and a replacement delete the old?"""
    html = _upload(signed_in, "photo", _halves(1000, 1000), "me.png").get_data(as_text=True)
    token = _token(html, "photo")
    response = _post_form(signed_in, photo_upload=token, crop_x="0.55", crop_y="0.2", crop_w="0.4")
    assert response.status_code == 303
    profile = _only_profile()
    first = {f"prefix/{profile.photo_key}", f"prefix/{profile.photo_thumb_key}"}
    assert set(_bucket_keys(use_s3)) == first  # the staged copy is gone
    with league_scope(league.id):
        assert _colour(_image(profile.photo_key), 300, 375) == "blue"
    for key in first:
        head = use_s3.client.head_object(Bucket=use_s3.bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
    link = signed_in.get(f"/l/riverside/players/{profile.id}/photo")
    assert link.status_code == 302 and "X-Amz-Expires" in link.headers["Location"]

    edit = f"/l/riverside/players/{profile.id}/edit"
    assert _post_form(signed_in, edit, photo=_file(jpeg(800, 1000), "new.jpg")).status_code == 303
    profile = _only_profile()
    assert set(_bucket_keys(use_s3)) == {
        f"prefix/{profile.photo_key}",
        f"prefix/{profile.photo_thumb_key}",
    }
    assert profile.status == ProfileStatus.DRAFT
