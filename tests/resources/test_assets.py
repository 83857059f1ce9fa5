"""Assets: uploads checked by content, cleaning, thumbnails, signed files, CRUD, usage, quota, events."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from siteninja.extensions import db
from siteninja.jobs import media as media_jobs
from siteninja.models import Asset, AuditLog, Event, Subscription
from siteninja.services import storage
from tests import asset_files as files
from tests import factories
from tests.conftest import TMP_DIR, count_queries
from tests.resources.asset_helpers import assets_url, path_of, stored_files, upload, upload_root

MiB = 1024 * 1024


@pytest.fixture
def editor(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="editor"))


@pytest.fixture
def viewer(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="viewer"))


def created(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def live_assets(tenant) -> list[Asset]:
    return list(db.session.scalars(sa.select(Asset).where(Asset.tenant_id == tenant.id)))


def download(client, url: str):
    return client.get(path_of(url))


def every_file_under_tmp() -> set[str]:
    """Every file the test process owns (the upload root lives here), but the SQLite database."""
    return {str(p) for p in Path(TMP_DIR).rglob("*") if p.is_file() and "test.db" not in p.name}


# --- accepted types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "mime", "size"),
    [
        (files.jpeg_with_gps(), "holiday.jpg", "image/jpeg", (200, 400)),
        (files.png(), "logo.png", "image/png", (120, 80)),
        (files.gif(), "spinner.gif", "image/gif", (64, 48)),
        (files.webp(), "hero.webp", "image/webp", (160, 90)),
    ],
)
def test_upload_an_image_returns_the_asset(editor, tenant, content, name, mime, size):
    response = upload(editor, tenant, (content, name), altText="Our shop")
    asset = created(response)
    assert response.headers["Location"].endswith(f"/api/tenants/{tenant.id}/assets/{asset['id']}")
    assert asset["mimeType"] == mime
    assert (asset["width"], asset["height"]) == size
    assert asset["filename"] == name
    assert asset["altText"] == "Our shop"
    assert asset["tenantId"] == str(tenant.id)
    assert set(asset) >= {
        "id", "tenantId", "filename", "mimeType", "size", "width", "height", "altText", "url",
        "thumbnailUrl", "thumbnailStatus", "createdAt",
    }  # fmt: skip
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    assert row.storage_key == f"{tenant.id}/{asset['id']}{'.' + mime.split('/')[1].replace('jpeg', 'jpg')}"
    assert asset["size"] == row.size == (upload_root() / row.storage_key).stat().st_size


def test_upload_a_pdf_keeps_it_as_sent_and_has_no_thumbnail(editor, tenant):
    content = files.pdf(pages=3)
    asset = created(upload(editor, tenant, (content, "brochure.pdf")))
    assert asset["mimeType"] == "application/pdf"
    assert asset["size"] == len(content)
    assert asset["width"] is None and asset["height"] is None
    assert asset["thumbnailStatus"] is None and asset["thumbnailUrl"] is None
    served = download(editor, asset["url"])
    assert served.status_code == 200
    assert served.data == content
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"] == "attachment; filename=brochure.pdf"


def test_the_type_comes_from_the_content_not_the_name_or_content_type(editor, tenant):
    data = {"file": (io.BytesIO(files.png()), "photo.jpg", "application/pdf")}
    response = editor.post(assets_url(tenant, "/upload"), data=data, content_type="multipart/form-data")
    asset = created(response)
    assert asset["mimeType"] == "image/png"
    assert asset["filename"] == "photo.png"


def test_several_files_answer_with_a_list_in_order(editor, tenant):
    response = upload(editor, tenant, (files.png(), "a.png"), (files.pdf(), "b.pdf"), (files.gif(), "c.gif"))
    assets = created(response)
    assert [a["filename"] for a in assets] == ["a.png", "b.pdf", "c.gif"]
    assert "Location" not in response.headers
    assert len(live_assets(tenant)) == 3


def test_a_bulk_upload_is_all_or_nothing(editor, tenant):
    before = stored_files()
    response = upload(editor, tenant, (files.png(), "a.png"), (files.SVG_WITH_SCRIPT, "b.svg"))
    assert response.status_code == 415
    assert response.get_json()["error"]["details"][0]["field"] == "file.1"
    assert live_assets(tenant) == []
    assert stored_files() == before


def test_a_failed_commit_removes_the_files_it_wrote(editor, tenant, monkeypatch):
    before = stored_files()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", fail)
    response = upload(editor, tenant, (files.png(), "a.png"), (files.pdf(), "b.pdf"))
    monkeypatch.undo()
    assert response.status_code == 500
    assert stored_files() == before


# --- refused uploads --------------------------------------------------------------------------

HOSTILE = [
    (files.SVG_WITH_SCRIPT, "logo.svg", 415),
    (files.HTML_PAGE, "photo.jpg", 415),
    (files.PHP_SCRIPT, "shell.jpg", 415),
    (files.EXE, "invoice.pdf", 415),
    (files.jpeg_html_polyglot(), "polyglot.jpg", 415),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "truncated.png", 415),
    (b"%PDF-1.7\nnot really a pdf", "fake.pdf", 415),
    (files.png_bomb(), "bomb.png", 413),
    (files.gif_with_huge_frame(), "frames.gif", 413),
    (files.gif_with_many_frames(), "long.gif", 413),
]


@pytest.mark.parametrize(("content", "name", "status"), HOSTILE, ids=[h[1] for h in HOSTILE])
def test_hostile_files_are_refused_and_nothing_is_written(editor, tenant, content, name, status):
    before = every_file_under_tmp()
    response = upload(editor, tenant, (content, name))
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["error"]["code"] == {413: "payload_too_large", 415: "unsupported_media_type"}[status]
    assert body["error"]["details"][0]["field"] == "file"
    assert live_assets(tenant) == []
    assert every_file_under_tmp() == before


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_64_megapixel_jpeg_is_refused_before_decoding(editor, tenant):
    response = upload(editor, tenant, (files.jpeg_64mp(), "huge.jpg"))
    assert response.status_code == 413
    assert "megapixels" in response.get_json()["error"]["message"]


def test_an_image_over_5_mb_is_413(editor, tenant):
    response = upload(editor, tenant, (files.noisy_png(5 * MiB + 1), "big.png"))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_a_pdf_over_20_mb_stops_streaming_at_the_cap(editor, tenant):
    before = stored_files()
    response = upload(editor, tenant, (files.big_pdf(21 * MiB), "huge.pdf"))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert stored_files() == before


def test_a_request_over_the_upload_cap_is_413(app, editor, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_REQUEST_LENGTH", 2 * MiB)
    response = upload(editor, tenant, (files.pdf(), "a.pdf"), (files.big_pdf(3 * MiB), "b.pdf"))
    assert response.status_code == 413


def test_json_to_the_upload_route_keeps_the_1_mb_json_cap(editor, tenant):
    response = editor.post(assets_url(tenant, "/upload"), json={"padding": "x" * (2 * MiB)})
    assert response.status_code == 413


def test_other_routes_keep_the_1_mb_cap_for_multipart(editor, tenant):
    data = {"file": (io.BytesIO(files.big_pdf(2 * MiB)), "a.pdf")}
    response = editor.post(
        f"/api/tenants/{tenant.id}/pages",
        data=data,
        content_type="multipart/form-data",
        headers={"Idempotency-Key": "reads-the-body"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ({"altText": "no file"}, "multipart/form-data"),
        ({"file": "just text"}, "multipart/form-data"),
        (None, None),
    ],
)
def test_an_upload_without_a_file_is_422(editor, tenant, data, content_type):
    url = assets_url(tenant, "/upload")
    if data is None:
        response = editor.post(url, json={})
    else:
        response = editor.post(url, data=data, content_type=content_type)
    assert response.status_code == 422
    assert [d["field"].split(".")[0] for d in response.get_json()["error"]["details"]] == ["file"]


def test_an_empty_file_is_422(editor, tenant):
    response = upload(editor, tenant, (b"", "empty.png"))
    assert response.status_code == 422


def test_too_many_files_is_422(app, editor, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_FILES", 2)
    response = upload(editor, tenant, *[(files.png(), f"{n}.png") for n in range(3)])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "file"


@pytest.mark.parametrize("form", [{"altText": "x" * 501}, {"altText": "a\x00b"}, {"unknown": "1"}])
def test_invalid_form_fields_are_422(editor, tenant, form):
    response = upload(editor, tenant, (files.png(), "a.png"), **form)
    assert response.status_code == 422
    assert live_assets(tenant) == []


# --- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd.png"),
        ("..\\x", "x.png"),
        ("%2e%2e%2f", "%2e%2e%2f.png"),
        ("a\x00.jpg", "a.png"),
        ("invoice\u202egnp.exe", "invoicegnp.png"),
        ("  .hidden  ", "hidden.png"),
        ("..", "upload.png"),
        ("photo.PNG", "photo.PNG"),
        ("Café menu.png", "Café menu.png"),
    ],
)
def test_file_names_are_kept_only_as_sanitized_metadata(editor, tenant, raw, expected):
    before = every_file_under_tmp()
    asset = created(upload(editor, tenant, (files.png(), raw)))
    assert asset["filename"] == expected
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    assert re.fullmatch(rf"{tenant.id}/{asset['id']}\.png", row.storage_key)
    new = every_file_under_tmp() - before
    root = str(upload_root().resolve())
    assert new and all(path.startswith(root) for path in new)


def test_a_300_character_name_is_cut_to_255_keeping_the_extension(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "n" * 300 + ".png")))
    assert len(asset["filename"]) == 255
    assert asset["filename"].endswith("n.png")


# --- cleaning ---------------------------------------------------------------------------------


def test_served_images_carry_no_exif_gps_or_xmp_and_are_upright(editor, tenant):
    original = files.jpeg_with_gps(size=(400, 200), orientation=6)
    assert files.exif_tags(original)["gps:2"] and b"Secret location" in original
    asset = created(upload(editor, tenant, (original, "home.jpg")))
    served = download(editor, asset["url"])
    assert served.status_code == 200
    assert files.exif_tags(served.data) == {}
    assert b"Secret location" not in served.data and b"shot at home" not in served.data
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.size == (200, 400)  # orientation 6 applied: the landscape shot stands upright
        assert not {"exif", "xmp", "comment"} & set(image.info)


@pytest.mark.parametrize(("content", "name"), [(files.png(), "a.png"), (files.webp(), "a.webp")])
def test_png_and_webp_lose_their_metadata_too(editor, tenant, content, name):
    assert files.exif_tags(content)
    asset = created(upload(editor, tenant, (content, name)))
    served = download(editor, asset["url"]).data
    assert files.exif_tags(served) == {}
    assert b"Secret location" not in served


def test_an_animated_gif_stays_animated_without_its_comment(editor, tenant):
    asset = created(upload(editor, tenant, (files.gif(frames=4), "anim.gif")))
    served = download(editor, asset["url"]).data
    with Image.open(io.BytesIO(served)) as image:
        assert image.n_frames == 4
        assert "comment" not in image.info
    assert b"hidden" not in served


# --- thumbnails -------------------------------------------------------------------------------


def test_images_get_a_thumbnail_at_most_320_px_wide(editor, tenant):
    asset = created(upload(editor, tenant, (files.jpeg_with_gps(size=(1600, 900), orientation=1), "w.jpg")))
    current = editor.get(assets_url(tenant, f"/{asset['id']}")).get_json()["data"]
    assert current["thumbnailStatus"] == "ready"
    thumb = download(editor, current["thumbnailUrl"])
    assert thumb.status_code == 200
    assert thumb.mimetype == "image/webp"
    assert thumb.headers["Content-Disposition"].startswith("inline")
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert image.size == (320, 180)


def test_small_images_are_never_enlarged(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(size=(100, 50)), "small.png")))
    current = editor.get(assets_url(tenant, f"/{asset['id']}")).get_json()["data"]
    with Image.open(io.BytesIO(download(editor, current["thumbnailUrl"]).data)) as image:
        assert image.size == (100, 50)


def test_thumbnail_job_is_idempotent_and_rechecks_tenant_and_asset(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    assert row.thumbnail_status == "ready"
    thumb = upload_root() / media_jobs.thumbnail_key(row)
    stamp = thumb.stat().st_mtime_ns
    assert media_jobs.make_thumbnail(str(tenant.id), asset["id"]) is None
    assert thumb.stat().st_mtime_ns == stamp
    other = factories.tenant()
    row.thumbnail_status = "pending"
    db.session.commit()
    assert media_jobs.make_thumbnail(str(other.id), asset["id"]) is None
    assert db.session.get(Asset, row.id).thumbnail_status == "pending"
    assert media_jobs.make_thumbnail(str(tenant.id), asset["id"]) == "ready"


def test_a_thumbnail_that_cannot_be_made_is_failed(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    (upload_root() / row.storage_key).write_bytes(b"\x89PNG\r\n\x1a\ncorrupted")
    row.thumbnail_status = "pending"
    db.session.commit()
    assert media_jobs.make_thumbnail(str(tenant.id), asset["id"]) == "failed"
    current = editor.get(assets_url(tenant, f"/{asset['id']}")).get_json()["data"]
    assert current["thumbnailStatus"] == "failed" and current["thumbnailUrl"] is None


def test_a_thumbnail_is_not_served_before_it_is_ready(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    row.thumbnail_status = "pending"
    db.session.commit()
    with app.test_request_context():
        token = storage.sign_file(tenant.id, row.id, "thumbnail")
    assert editor.get(f"/api/files/{token}").status_code == 404


# --- signed file URLs -------------------------------------------------------------------------


def test_files_are_served_without_credentials_with_safe_headers(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "Café.png")))
    response = app.test_client().get(path_of(asset["url"]))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        response.headers["Content-Disposition"] == "inline; filename=Cafe.png; filename*=UTF-8''Caf%C3%A9.png"
    )
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    etag = response.headers["ETag"]
    again = app.test_client().get(path_of(asset["url"]), headers={"If-None-Match": etag})
    assert again.status_code == 304
    partial = app.test_client().get(path_of(asset["url"]), headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206 and partial.data == b"\x89PNG\r\n\x1a\n"
    assert app.test_client().head(path_of(asset["url"])).status_code == 200


def tamper(token: str) -> str:
    """Change one signature character that carries data (the last one may hold only padding bits)."""
    index = len(token) - 5
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]


def test_tampered_foreign_or_garbage_tokens_are_404(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    token = path_of(asset["url"]).rsplit("/", 1)[1]
    other = factories.tenant()
    with app.test_request_context():
        foreign = storage.sign_file(other.id, uuid.UUID(asset["id"]), "original")
        wrong_secret = storage.URLSafeSerializer("another-secret", salt=storage.TOKEN_SALT).dumps(
            [tenant.id.hex, uuid.UUID(asset["id"]).hex, 0, int(time.time()) + 600]
        )
    for bad in (tamper(token), foreign, wrong_secret, "garbage", "a" * 300):
        response = app.test_client().get(f"/api/files/{bad}")
        assert response.status_code == 404, bad
        assert response.get_json()["error"]["code"] == "not_found"


def test_expired_tokens_are_404(app, editor, tenant, monkeypatch):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    path = path_of(asset["url"])
    assert app.test_client().get(path).status_code == 200
    real_time = time.time
    monkeypatch.setattr(storage.time, "time", lambda: real_time() + app.config["ASSET_URL_TTL"] + 120)
    assert app.test_client().get(path).status_code == 404


def test_urls_live_at_least_the_ttl_and_stay_stable_within_a_minute(app, tenant):
    asset_id = uuid.uuid4()
    with app.test_request_context():
        first = storage.sign_file(tenant.id, asset_id, "original")
        second = storage.sign_file(tenant.id, asset_id, "original")
        expires = storage._serializer().loads(first)[3]
    assert first == second
    ttl = app.config["ASSET_URL_TTL"]
    assert time.time() + ttl - 1 <= expires <= time.time() + ttl + ttl // 60 + 1


def test_a_deleted_assets_urls_are_404(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    current = editor.get(assets_url(tenant, f"/{asset['id']}")).get_json()["data"]
    assert editor.delete(assets_url(tenant, f"/{asset['id']}")).status_code == 204
    assert download(editor, current["url"]).status_code == 404
    assert download(editor, current["thumbnailUrl"]).status_code == 404


def test_a_file_missing_from_storage_is_404_not_500(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    (upload_root() / db.session.get(Asset, uuid.UUID(asset["id"])).storage_key).unlink()
    assert download(app.test_client(), asset["url"]).status_code == 404


def test_a_deleted_tenants_files_are_404(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    tenant.status = "deleted"
    db.session.commit()
    assert download(app.test_client(), asset["url"]).status_code == 404


# --- list, get, update, delete ----------------------------------------------------------------


def test_list_filters_search_and_sorts(editor, tenant):
    created(upload(editor, tenant, (files.png(size=(20, 20)), "zebra.png"), altText="Stripes"))
    created(upload(editor, tenant, (files.pdf(pages=1), "menu.pdf")))
    created(upload(editor, tenant, (files.noisy_png(200_000), "Apple.png")))
    listing = editor.get(assets_url(tenant)).get_json()
    assert [a["filename"] for a in listing["data"]] == ["Apple.png", "menu.pdf", "zebra.png"]
    assert listing["pagination"]["total"] == 3
    images = editor.get(assets_url(tenant, "?type=image&sort=filename")).get_json()["data"]
    assert [a["filename"] for a in images] == ["Apple.png", "zebra.png"]
    documents = editor.get(assets_url(tenant, "?type=document")).get_json()["data"]
    assert [a["filename"] for a in documents] == ["menu.pdf"]
    by_size = editor.get(assets_url(tenant, "?sort=-size")).get_json()["data"]
    assert by_size[0]["filename"] == "Apple.png"
    assert [a["filename"] for a in editor.get(assets_url(tenant, "?q=stripe")).get_json()["data"]] == [
        "zebra.png"
    ]
    assert [a["filename"] for a in editor.get(assets_url(tenant, "?q=MENU")).get_json()["data"]] == [
        "menu.pdf"
    ]
    assert editor.get(assets_url(tenant, "?limit=1&page=2")).get_json()["data"][0]["filename"] == "menu.pdf"


@pytest.mark.parametrize("query", ["?type=video", "?sort=width", "?limit=101", "?q=" + "x" * 201, "?bogus=1"])
def test_invalid_list_arguments_are_422(editor, tenant, query):
    assert editor.get(assets_url(tenant, query)).status_code == 422


def test_list_runs_a_fixed_number_of_queries(editor, tenant):
    created(upload(editor, tenant, (files.png(), "a.png")))
    with count_queries() as few:
        assert editor.get(assets_url(tenant)).status_code == 200
    for n in range(4):
        created(upload(editor, tenant, (files.png(), f"{n}.png")))
    with count_queries() as many:
        assert len(editor.get(assets_url(tenant)).get_json()["data"]) == 5
    assert len(many) == len(few)


def test_viewers_read_but_cannot_write(viewer, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    assert viewer.get(assets_url(tenant)).status_code == 200
    assert viewer.get(assets_url(tenant, f"/{asset['id']}")).status_code == 200
    assert viewer.get(assets_url(tenant, "/usage")).status_code == 200
    assert upload(viewer, tenant, (files.png(), "b.png")).status_code == 403
    assert viewer.put(assets_url(tenant, f"/{asset['id']}"), json={"altText": "x"}).status_code == 403
    assert viewer.delete(assets_url(tenant, f"/{asset['id']}")).status_code == 403


def test_other_tenants_assets_are_404(app, editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    intruder = factories.client_for(app, factories.user(tenant=factories.tenant(), role="owner"))
    assert intruder.get(assets_url(tenant, f"/{asset['id']}")).status_code == 404
    assert upload(intruder, tenant, (files.png(), "b.png")).status_code == 404
    own = intruder.get(f"/api/tenants/{intruder_tenant(intruder)}/assets/{asset['id']}")
    assert own.status_code == 404


def intruder_tenant(client) -> str:
    return client.get("/api/auth/me").get_json()["data"]["user"]["tenantId"]


def test_update_alt_text_and_filename(editor, tenant):
    asset = created(upload(editor, tenant, (files.pdf(), "old.pdf"), altText="Old"))
    url = assets_url(tenant, f"/{asset['id']}")
    response = editor.put(url, json={"altText": "Spring menu", "filename": "../menu.exe"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["altText"] == "Spring menu" and data["filename"] == "menu.pdf"
    assert editor.patch(url, json={"altText": None}).get_json()["data"]["altText"] is None
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.resource_id == asset["id"], AuditLog.action == "update").limit(1)
    )
    assert entry.changes["filename"] == ["old.pdf", "menu.pdf"]


@pytest.mark.parametrize(
    "body", [{"size": 1}, {"mimeType": "text/html"}, {"filename": ""}, {"altText": "x" * 501}, {"url": "x"}]
)
def test_server_owned_or_invalid_fields_are_422(editor, tenant, body):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    assert editor.put(assets_url(tenant, f"/{asset['id']}"), json=body).status_code == 422


def test_delete_is_soft_and_the_worker_removes_the_files(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    row = db.session.get(Asset, uuid.UUID(asset["id"]))
    original, thumb = upload_root() / row.storage_key, upload_root() / media_jobs.thumbnail_key(row)
    assert original.exists() and thumb.exists()
    assert editor.delete(assets_url(tenant, f"/{asset['id']}")).status_code == 204
    assert db.session.get(Asset, row.id).deleted_at is not None
    assert not original.exists() and not thumb.exists()
    assert editor.get(assets_url(tenant, f"/{asset['id']}")).status_code == 404
    assert editor.delete(assets_url(tenant, f"/{asset['id']}")).status_code == 404
    assert editor.get(assets_url(tenant)).get_json()["data"] == []
    assert media_jobs.remove_files(str(tenant.id), asset["id"]) == 2  # again: harmless


def test_if_match_guards_updates(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    url = assets_url(tenant, f"/{asset['id']}")
    etag = editor.get(url).headers["ETag"]
    assert editor.put(url, json={"altText": "a"}, headers={"If-Match": etag}).status_code == 200
    assert editor.put(url, json={"altText": "b"}, headers={"If-Match": etag}).status_code == 412


# --- events, audit, idempotency ---------------------------------------------------------------


def test_uploads_and_deletes_emit_events_and_audit_entries(editor, tenant):
    asset = created(upload(editor, tenant, (files.png(), "a.png")))
    editor.delete(assets_url(tenant, f"/{asset['id']}"))
    events = list(
        db.session.scalars(sa.select(Event).where(Event.tenant_id == tenant.id).order_by(Event.created_at))
    )
    types = [e.type for e in events if e.type.startswith("asset.")]
    assert types == ["asset.created", "asset.deleted"]
    payload = next(e.payload for e in events if e.type == "asset.created")
    assert payload["data"]["id"] == asset["id"] and payload["data"]["mimeType"] == "image/png"
    entries = list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.resource_type == "asset", AuditLog.resource_id == asset["id"])
        )
    )
    assert sorted(e.action for e in entries) == ["create", "delete"]
    assert all(e.actor_type == "user" and e.tenant_id == tenant.id for e in entries)


def test_idempotency_key_replays_an_upload(editor, tenant):
    headers = {"Idempotency-Key": "upload-1"}
    first = upload(editor, tenant, (files.png(), "a.png"), headers=headers)
    second = upload(editor, tenant, (files.png(), "a.png"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json()["data"]["id"] == first.get_json()["data"]["id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert len(live_assets(tenant)) == 1
    different = upload(editor, tenant, (files.gif(), "a.png"), headers=headers)
    assert different.status_code == 422
    assert different.get_json()["error"]["details"][0]["field"] == "Idempotency-Key"


def test_an_anonymous_keyed_upload_is_401(client, tenant):
    response = upload(client, tenant, (files.png(), "a.png"), headers={"Idempotency-Key": "k"})
    assert response.status_code == 401


# --- usage and quota --------------------------------------------------------------------------


def test_usage_counts_live_assets_against_the_plan(editor, tenant):
    empty = editor.get(assets_url(tenant, "/usage")).get_json()["data"]
    assert empty == {"bytesUsed": 0, "bytesQuota": 100 * MiB, "count": 0}
    one = created(upload(editor, tenant, (files.png(), "a.png")))
    two = created(upload(editor, tenant, (files.pdf(), "b.pdf")))
    usage = editor.get(assets_url(tenant, "/usage")).get_json()["data"]
    assert usage == {"bytesUsed": one["size"] + two["size"], "bytesQuota": 100 * MiB, "count": 2}
    editor.delete(assets_url(tenant, f"/{one['id']}"))
    assert editor.get(assets_url(tenant, "/usage")).get_json()["data"]["bytesUsed"] == two["size"]


def test_an_upload_past_the_storage_quota_is_403(app, editor, tenant, monkeypatch):
    content = files.pdf()
    limits = json.loads(json.dumps(app.config["PLAN_LIMITS"]))
    limits["free"]["storage_bytes"] = len(content) * 2
    monkeypatch.setitem(app.config, "PLAN_LIMITS", limits)
    before = stored_files()
    created(upload(editor, tenant, (content, "1.pdf")))
    created(upload(editor, tenant, (content, "2.pdf")))
    response = upload(editor, tenant, (content, "3.pdf"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "plan_limit_exceeded"
    assert len(stored_files() - before) == 2
    db.session.execute(sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan="pro"))
    db.session.commit()
    created(upload(editor, tenant, (content, "3.pdf")))
