"""Storage backends: the same behaviour on the local directory and on S3 (moto's server on 127.0.0.1)."""

from __future__ import annotations

import io
import uuid
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer
from PIL import Image
from requests.structures import CaseInsensitiveDict

from siteninja.extensions import db
from siteninja.jobs import media as media_jobs
from siteninja.models import Asset
from siteninja.services.storage import LocalStorage, S3Storage, check_key, content_disposition, storage
from tests import asset_files as files
from tests import factories
from tests.resources.asset_helpers import assets_url, path_of, upload

BUCKET = "siteninja-test-assets"
REGION = "eu-central-1"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 in server mode, on 127.0.0.1 at a free port, with fake credentials: never real AWS."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        try:
            yield endpoint
        finally:
            server.stop()


@pytest.fixture(params=["local", "s3"])
def backend(request, app, monkeypatch, tmp_path):
    """The app configured for one backend; the S3 one talks to moto only."""
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", request.param)
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        monkeypatch.setitem(app.config, "S3_BUCKET", BUCKET)
        monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", endpoint)
        monkeypatch.setitem(app.config, "S3_REGION", REGION)
    return request.param


@pytest.fixture
def editor(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="editor"))


def fetch(client, url: str) -> tuple[int, bytes, CaseInsensitiveDict]:
    """Follow a file URL as a browser would: our 302 (S3) leads to the presigned URL on moto."""
    response = client.get(path_of(url))
    if response.status_code != 302:
        return response.status_code, response.data, CaseInsensitiveDict(dict(response.headers))
    target = response.headers["Location"]
    assert target.startswith("http://127.0.0.1:"), target
    answer = requests.get(target, timeout=10)
    return answer.status_code, answer.content, answer.headers


def key_for(tenant_id: uuid.UUID, suffix: str = ".png") -> str:
    return f"{tenant_id}/{uuid.uuid4()}{suffix}"


def test_the_backend_saves_opens_and_deletes(app, backend):
    key = key_for(uuid.uuid4())
    store = storage()
    assert isinstance(store, LocalStorage if backend == "local" else S3Storage)
    assert not store.exists(key)
    store.save(key, io.BytesIO(b"hello"), content_type="image/png")
    assert store.exists(key)
    with store.open(key) as stream:
        assert stream.read() == b"hello"
    store.delete(key)
    store.delete(key)  # idempotent
    assert not store.exists(key)


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/etc/passwd", "a/b.png", f"{uuid.uuid4()}/../../x.png", f"{uuid.uuid4()}/x.exe"]
)
def test_keys_that_we_did_not_generate_are_refused(app, backend, key):
    with pytest.raises(ValueError):
        storage().save(key, io.BytesIO(b"x"), content_type="image/png")
    with pytest.raises(ValueError):
        check_key(key)


def test_upload_serve_and_delete_behave_the_same_on_both_backends(app, backend, editor, tenant):
    response = upload(editor, tenant, (files.jpeg_with_gps(size=(800, 600), orientation=1), "café.jpg"))
    assert response.status_code == 201
    asset = response.get_json()["data"]
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    assert storage().exists(row.storage_key)
    status, body, headers = fetch(app.test_client(), asset["url"])
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"].startswith("inline")
    assert files.exif_tags(body) == {}
    current = editor.get(assets_url(tenant, f"/{asset['id']}")).get_json()["data"]
    status, thumb, headers = fetch(app.test_client(), current["thumbnailUrl"])
    assert status == 200 and headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(thumb)).width == 320
    assert editor.delete(assets_url(tenant, f"/{asset['id']}")).status_code == 204
    assert not storage().exists(row.storage_key)
    assert not storage().exists(media_jobs.thumbnail_key(row))
    assert app.test_client().get(path_of(asset["url"])).status_code == 404


def test_pdfs_download_as_attachments_on_both_backends(app, backend, editor, tenant):
    content = files.pdf()
    asset = upload(editor, tenant, (content, "Menü.pdf")).get_json()["data"]
    status, body, headers = fetch(app.test_client(), asset["url"])
    assert status == 200 and body == content
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == content_disposition("Menü.pdf", attachment=True)
    assert headers["Content-Disposition"].startswith("attachment; filename=Menu.pdf; filename*=UTF-8''Men")


def test_s3_answers_302_to_a_short_lived_presigned_url(app, s3_endpoint, monkeypatch, editor, tenant):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    monkeypatch.setitem(app.config, "S3_BUCKET", BUCKET)
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setitem(app.config, "S3_REGION", REGION)
    asset = upload(editor, tenant, (files.png(), "a.png")).get_json()["data"]
    response = app.test_client().get(path_of(asset["url"]))
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/{BUCKET}/{tenant.id}/{asset['id']}.png"
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == [str(app.config["S3_PRESIGN_TTL"])]
    assert query["response-content-type"] == ["image/png"]


def test_s3_bulk_upload_that_fails_leaves_no_objects(app, s3_endpoint, monkeypatch, editor, tenant):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    monkeypatch.setitem(app.config, "S3_BUCKET", BUCKET)
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setitem(app.config, "S3_REGION", REGION)
    response = upload(editor, tenant, (files.png(), "a.png"), (files.EXE, "b.pdf"))
    assert response.status_code == 415
    listing = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION).list_objects_v2(
        Bucket=BUCKET, Prefix=f"{tenant.id}/"
    )
    assert listing.get("KeyCount", 0) == 0


def test_an_unknown_backend_or_a_bucketless_s3_fails_loudly(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "ftp")
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        storage()
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    monkeypatch.setitem(app.config, "S3_BUCKET", None)
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        storage()
