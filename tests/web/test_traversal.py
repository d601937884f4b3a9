"""Path traversal: no file name or address reaches outside its folder, for reading or for writing.

Stored files live under content hashes, so an upload's name is only ever shown, never a path; the
static folder and the file route are asked with the classic escapes, plain and encoded.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.files import StoredFile
from tests.conftest import log_in, post_form
from tests.factories import PASSWORD
from tests.web.hostile import files_under

PROJECT = Path(__file__).resolve().parents[2]
SECRET_LOOKING = (b"[project]", b"root:x:0:0")  # pyproject.toml's and /etc/passwd's first bytes

NAMES = [
    "../../etc/passwd",
    "../../../../../../tmp/attacks-escaped.txt",
    "/etc/passwd",
    "/tmp/attacks-absolute.txt",
    "..\\..\\windows\\win.ini",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "evil\x00.txt",
    "a" * 5000 + ".txt",
    "．．／．．／etc／passwd",  # fullwidth dots and solidus
    "..∕..∕etc∕passwd",  # U+2215 division slash
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "\u202etxt.exe",  # right-to-left override
    "..",
    "",
]


@pytest.mark.parametrize("name", NAMES, ids=lambda n: repr(n[:30]))
def test_an_upload_name_is_never_a_path(client, session, settings, cast, name):
    log_in(client, "admin", PASSWORD)
    outside = files_under(settings.var_dir.parent)
    before = files_under(settings.upload_dir) if settings.upload_dir.exists() else set()
    response = post_form(
        client,
        f"/admin/grid/cells/{cast.cell.code}/files",
        {},
        page="/admin/grid",
        files={"file": (name, b"duty roster, plain text", "text/plain")},
    )
    assert response.status_code in (303, 400, 422), re.findall(r"<main.*?</main>", response.text, re.S)
    new = files_under(settings.upload_dir) - before
    assert all(re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.txt", path) for path in new), new
    added = files_under(settings.var_dir.parent) - outside
    assert {str(Path(settings.var_dir.name) / "uploads" / path) for path in new} == added
    assert not Path("/tmp/attacks-escaped.txt").exists() and not Path("/tmp/attacks-absolute.txt").exists()
    for stored in session.query(StoredFile).filter_by(owner_id=cast.cell.code):
        shown = stored.original_name
        assert not {"/", "\\", "\x00"} & set(shown) and shown not in ("", ".", "..") and len(shown) <= 200
        served = client.get(f"/files/{stored.id}")
        assert served.status_code == 200
        disposition = served.headers["content-disposition"]
        assert "/" not in disposition.split("filename*=UTF-8''")[1] and "\x00" not in disposition


STATIC = [
    "/static/../pyproject.toml",
    "/static/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2fpyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static/%252e%252e%252fpyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/....//....//pyproject.toml",
    "/static/%c0%ae%c0%ae/pyproject.toml",
    "/static/\u2025/pyproject.toml",  # a two-dot leader
]


@pytest.mark.parametrize("address", STATIC)
def test_the_static_folder_keeps_to_itself(client, address):
    response = client.get(address)
    assert 400 <= response.status_code < 500
    assert not any(marker in response.content for marker in SECRET_LOOKING)


def test_the_static_folder_still_serves_its_own_files(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200 and response.content


FILE_ADDRESSES = [
    "/files/../pyproject.toml",
    "/files/..%2f..%2fpyproject.toml",
    "/files/1%2f..%2f..%2fpyproject.toml",
    "/files/0",
    "/files/-1",
    "/files/1.txt",
    "/files/99999999999999999999999999",
    "/files/%31",
    "/files/ 1",
]


@pytest.mark.parametrize("address", FILE_ADDRESSES)
def test_the_file_route_takes_only_a_stored_files_number(client, cast, address):
    response = client.get(address)
    assert 400 <= response.status_code < 500
    assert not any(marker in response.content for marker in SECRET_LOOKING)
