"""Uploading a cell's documents and serving files over HTTP."""

import io

from PIL import Image
from sqlalchemy import func, select

from core.files import StoredFile
from tests.conftest import csrf_token, log_in
from tests.core.test_files import GPS_IFD, jpeg_with_gps
from tests.factories import PASSWORD


def upload(client, cell, data: bytes, name: str, content_type: str = "image/jpeg"):
    token = csrf_token(client, f"/admin/grid/cells/{cell.code}")
    return client.post(
        f"/admin/grid/cells/{cell.code}/files",
        data={"csrf_token": token},
        files={"file": (name, data, content_type)},
    )


def test_admin_uploads_a_photo_that_everyone_sees_without_its_location(client, session, app, cast):
    log_in(client, "admin", PASSWORD)
    response = upload(client, cast.cell, jpeg_with_gps(), "井盖.jpg")
    assert response.status_code == 303
    stored = session.scalar(select(StoredFile))
    page = client.get(f"/grid/cells/{cast.cell.code}").text
    assert f'src="/files/{stored.id}"' in page and "井盖.jpg" in page
    served = client.get(f"/files/{stored.id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert served.headers["content-disposition"].startswith("inline; filename*=UTF-8''")
    assert served.headers["cache-control"] == "private, max-age=3600"  # a public file may be kept a while
    assert not Image.open(io.BytesIO(served.content)).getexif().get_ifd(GPS_IFD)


def test_a_script_posing_as_a_photo_is_refused_with_a_message(client, session, app, cast):
    log_in(client, "admin", PASSWORD)
    on_disk = set(app.state.settings.upload_dir.rglob("*"))
    response = upload(client, cast.cell, b"<script>alert(1)</script>", "photo.jpg")
    assert response.status_code == 422 and "不接受这种类型的文件" in response.text
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert set(app.state.settings.upload_dir.rglob("*")) == on_disk


def test_an_oversized_upload_is_refused_before_it_is_read(client, session, app, cast):
    log_in(client, "admin", PASSWORD)
    limit = app.state.settings.max_upload_bytes
    token = csrf_token(client, f"/admin/grid/cells/{cast.cell.code}")
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n' + b"0" * (
        limit + 10
    )
    response = client.post(
        f"/admin/grid/cells/{cast.cell.code}/files",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=x", "X-CSRF-Token": token},
    )
    assert response.status_code == 413
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_residents_cannot_upload(client, session, cast):
    log_in(client, "wang_ayi", PASSWORD)
    assert upload(client, cast.cell, jpeg_with_gps(), "x.jpg").status_code == 403
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_documents_download_and_unknown_files_are_404(client, session, cast):
    log_in(client, "admin", PASSWORD)
    assert (
        upload(client, cast.cell, b"%PDF-1.4\n1 0 obj\n", "duties.pdf", "application/pdf").status_code == 303
    )
    stored = session.scalar(select(StoredFile))
    assert client.get(f"/files/{stored.id}").headers["content-type"] == "application/pdf"
    assert client.get("/files/99999").status_code == 404


def test_admin_removes_a_document(client, session, cast):
    log_in(client, "admin", PASSWORD)
    upload(client, cast.cell, b"%PDF-1.4\n1 0 obj\n", "duties.pdf", "application/pdf")
    stored = session.scalar(select(StoredFile))
    token = csrf_token(client, f"/admin/grid/cells/{cast.cell.code}")
    response = client.post(f"/admin/grid/files/{stored.id}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get(f"/files/{stored.id}").status_code == 404
