"""Uploads: the type comes from the content, images lose their metadata, refused files leave nothing."""

import io
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import files
from core.errors import Invalid, NotFound
from core.files import StoredFile

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0112] = 6  # orientation: rotate 90° to be upright
    exif[GPS_IFD] = {1: "N", 2: (33.0, 38.0, 0.0), 3: "E", 4: (116.0, 58.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def store(session, tmp_path, data: bytes, name: str, max_bytes: int = 1_000_000) -> StoredFile:
    stored = files.store(
        session,
        tmp_path,
        io.BytesIO(data),
        name=name,
        owner_kind="test_owner",
        owner_id="1",
        uploaded_by_id=None,
        max_bytes=max_bytes,
    )
    session.flush()
    return stored


def stored_bytes(tmp_path) -> list:
    return [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_photo_loses_its_location_and_camera_data_and_stands_upright(session, tmp_path):
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(GPS_IFD)  # the upload really carries a location
    stored = store(session, tmp_path, jpeg_with_gps(), "门口.jpg")
    kept = Image.open(files.path_of(tmp_path, stored))
    assert stored.content_type == "image/jpeg" and stored.extension == ".jpg"
    assert dict(kept.getexif()) == {} and "exif" not in kept.info
    assert kept.size == (20, 40)  # turned upright before the orientation tag was dropped
    assert stored.original_name == "门口.jpg"


def test_png_text_chunks_are_dropped(session, tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "shot at 33.63N 116.97E")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    stored = store(session, tmp_path, out.getvalue(), "map.png")
    assert "Comment" not in Image.open(files.path_of(tmp_path, stored)).info


@pytest.mark.parametrize(
    ("data", "name", "text"),
    [
        (b"<script>alert('x')</script>", "photo.jpg", "not accepted"),
        (b"#!/bin/sh\nrm -rf /\n", "notes.txt", "not accepted"),
        (b"<html><body>hi</body></html>", "page.txt", "not accepted"),
        (b"\xef\xbb\xbf<html><script>alert(1)</script>", "page.html", "not accepted"),  # a BOM first
        (b"<!-- harmless -->\n  <svg onload=alert(1)>", "x.svg", "not accepted"),  # a comment first
        (b"<!-- a --><!-- b -->\r\n\t<!DOCTYPE html>", "x.txt", "not accepted"),
        (b"<!-- never closed <script>", "x.txt", "not accepted"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "setup.pdf", "not accepted"),
        (b"%PDF-1.4\n%fake but typed pdf\n", "photo.jpg", "does not match"),
        (b"just some words", "photo.png", "does not match"),
        (b"", "empty.txt", "Choose a file"),
        (b"x" * 2001, "big.txt", "larger than"),
    ],
)
def test_refused_files_say_why_and_leave_nothing(session, tmp_path, data, name, text):
    with pytest.raises(Invalid) as refused:
        store(session, tmp_path, data, name, max_bytes=2000)
    assert text in refused.value.errors["file"].key
    assert stored_bytes(tmp_path) == []
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_a_damaged_picture_is_refused(session, tmp_path):
    broken = jpeg_with_gps()[:300]
    with pytest.raises(Invalid) as refused:
        store(session, tmp_path, broken, "broken.jpg")
    assert "could not be read" in refused.value.errors["file"].key


def test_a_picture_too_large_to_decode_safely_is_refused(session, tmp_path):
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG")  # 50 megapixels in a few kilobytes
    with pytest.raises(Invalid) as refused:
        store(session, tmp_path, out.getvalue(), "huge.png")
    assert "too large" in refused.value.errors["file"].key


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"%PDF-1.4\n1 0 obj\n", "minutes.pdf", "application/pdf"),
        ("网格巡查记录：井盖完好。\n".encode(), "记录.txt", "text/plain"),
        (
            docx(),
            "duty-sheet.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_documents_are_typed_by_content(session, tmp_path, data, name, content_type):
    stored = store(session, tmp_path, data, name)
    assert stored.content_type == content_type
    assert files.path_of(tmp_path, stored).read_bytes() == data


def test_the_same_content_is_stored_once(session, tmp_path):
    first = store(session, tmp_path, b"%PDF-1.4 same", "a.pdf")
    second = store(session, tmp_path, b"%PDF-1.4 same", "b.pdf")
    assert first.sha256 == second.sha256 and first.id != second.id
    assert len(stored_bytes(tmp_path)) == 1


@pytest.mark.parametrize("name", ["notes.html", "notes.SVG", "notes.xml", "notes.js", "notes.htm"])
def test_a_text_file_never_keeps_a_name_that_opens_as_markup(session, tmp_path, name):
    stored = store(session, tmp_path, "巡查记录：井盖完好。".encode(), name)
    assert stored.content_type == "text/plain" and stored.original_name == "notes.txt"


def test_names_lose_paths_and_control_characters(session, tmp_path):
    stored = store(session, tmp_path, b"plain words", "..\\..\\etc/pass\x00wd.txt")
    assert stored.original_name == "passwd.txt"


def test_access_asks_the_owner(session, tmp_path):
    stored = store(session, tmp_path, b"plain words", "a.txt")
    with pytest.raises(NotFound):  # nobody registered the owner kind: nobody sees it
        files.access_file(session, None, stored.id)
    files.register_owner("test_owner", lambda s, actor, owner_id: actor == "allowed")
    try:
        with pytest.raises(NotFound):
            files.access_file(session, "someone else", stored.id)
        assert files.access_file(session, "allowed", stored.id).id == stored.id
    finally:
        del files.OWNERS["test_owner"]
