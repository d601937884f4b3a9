"""Uploaded files: size-capped, typed by their content, images re-encoded, stored under content hashes.

- The type comes from the bytes (``filetype``), never from the name or the browser's claim, and must
  be on the allow-list; a file whose name promises another type than its content is refused.
- Images are decoded and re-encoded with Pillow, which drops EXIF (GPS included), XMP and text chunks
  and turns the pixels upright first.
- Files live at ``<upload dir>/ab/cd/<sha256>.<ext>``: the same content is stored once, and writing it
  again (a retried request) changes nothing. A file whose database row rolled back stays on disk
  unreferenced; it is harmless and can be swept by age.
- Files are served only through ``web``'s file route, which asks ``access_file`` first: each owning
  package registers who may see its files (``register_owner``).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Index, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import clock
from core.db import Base
from core.errors import N_, FieldErrors, Invalid, NotFound
from core.types import intpk

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".png"}
DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
}
ALLOWED = IMAGE_TYPES | DOCUMENT_TYPES
# name extensions and the sniffed types they may hold; a name outside this table says nothing
EXTENSIONS = {
    ".jpg": "image/",
    ".jpeg": "image/",
    ".png": "image/",
    ".gif": "image/",
    ".webp": "image/",
    ".heic": "image/",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/plain",
    ".doc": "application/",
    ".docx": "application/",
    ".xls": "application/",
    ".xlsx": "application/",
    ".ppt": "application/",
    ".pptx": "application/",
}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused before it is decoded whole
MARKUP = (
    b"<!doctype",
    b"<html",
    b"<script",
    b"<svg",
    b"<?php",
    b"<?xml",
    b"#!",
    b"<!--",
    b"<body",
    b"<iframe",
)
# a stored text file never keeps a name a browser or a desktop would open as something else
ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".xml", ".js", ".mjs", ".php", ".hta", ".shtml")


class StoredFile(Base):
    __tablename__ = "stored_files"
    __table_args__ = (Index("ix_stored_files_owner", "owner_kind", "owner_id"),)

    id: Mapped[intpk]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(10))
    original_name: Mapped[str] = mapped_column(String(200))
    owner_kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(40))
    uploaded_by_id: Mapped[int | None]
    created_at: Mapped[datetime]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def relative_path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}{self.extension}"


# --- who may see a file ---------------------------------------------------------------------------

CanView = Callable[[Session, Any, str], bool]
OWNERS: dict[str, CanView] = {}
PRIVATE_OWNERS: set[str] = set()


def register_owner(kind: str, can_view: CanView, *, private: bool = False) -> None:
    """Say who may see files owned by objects of ``kind``: ``can_view(session, actor, owner_id)``.

    ``private`` files (a dispute's) are never kept in a browser's cache, as their pages are not.
    """
    OWNERS[kind] = can_view
    if private:
        PRIVATE_OWNERS.add(kind)
    else:
        PRIVATE_OWNERS.discard(kind)


def is_private(stored: StoredFile) -> bool:
    """Whether a file belongs to something private, so no cache may keep it."""
    return stored.owner_kind in PRIVATE_OWNERS


def access_file(session: Session, actor: Any, file_id: int) -> StoredFile:
    """The file if ``actor`` may see it; ``NotFound`` otherwise, so private files stay unseen."""
    stored = session.get(StoredFile, file_id)
    can_view = OWNERS.get(stored.owner_kind) if stored else None
    if stored is None or can_view is None or not can_view(session, actor, stored.owner_id):
        raise NotFound()
    return stored


@dataclass(frozen=True)
class FileSummary:
    """A stored file as a page lists it."""

    id: int
    original_name: str
    size: int
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


FILES_OF = (
    select(StoredFile.id, StoredFile.original_name, StoredFile.size, StoredFile.content_type)
    .where(StoredFile.owner_kind == bindparam("kind"), StoredFile.owner_id == bindparam("owner"))
    .order_by(StoredFile.id)
)


def file_summaries(session: Session, owner_kind: str, owner_id: object) -> list[FileSummary]:
    """An object's files as its page lists them, oldest first."""
    rows = session.execute(FILES_OF, {"kind": owner_kind, "owner": str(owner_id)})
    return [FileSummary(*row) for row in rows]


FILES_OF_MANY = (
    select(
        StoredFile.owner_id, StoredFile.id, StoredFile.original_name, StoredFile.size, StoredFile.content_type
    )
    .where(
        StoredFile.owner_kind == bindparam("kind"),
        StoredFile.owner_id.in_(bindparam("owners", expanding=True)),
    )
    .order_by(StoredFile.id)
)


def summaries_for(session: Session, owner_kind: str, owner_ids: list[object]) -> dict[str, list[FileSummary]]:
    """The files of several owners of one kind in one query (a page of posts), by owner id."""
    found: dict[str, list[FileSummary]] = {}
    if not owner_ids:
        return found
    rows = session.execute(FILES_OF_MANY, {"kind": owner_kind, "owners": [str(i) for i in owner_ids]})
    for row in rows:
        found.setdefault(row[0], []).append(FileSummary(*row[1:]))
    return found


def files_of(session: Session, owner_kind: str, owner_id: object) -> list[StoredFile]:
    """An object's files, oldest first."""
    return list(
        session.scalars(
            select(StoredFile)
            .where(StoredFile.owner_kind == owner_kind, StoredFile.owner_id == str(owner_id))
            .order_by(StoredFile.id)
        )
    )


# --- storing --------------------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None when they are nothing we accept."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    if b"\x00" in data[:65536] or _opening(data).startswith(MARKUP):
        return None
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < 65536 - 4:  # a character cut at the sample's end is fine
            return None
    return "text/plain"


def _opening(data: bytes) -> bytes:
    """How a text really begins, past a byte-order mark, white space and ``<!-- -->`` comments: what a
    browser sniffing markup would look at."""
    head = data[:8192].removeprefix(b"\xef\xbb\xbf").lower()
    while True:
        head = head.lstrip()
        if not head.startswith(b"<!--"):
            return head
        end = head.find(b"-->")
        if end < 0:
            return b"<!--"  # an unclosed comment: treat it as markup, refuse
        head = head[end + 3 :]


def clean_name(name: str) -> str:
    """A display name without paths or control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    name = name.strip()[:200]
    return name if name.strip(".") else "file"  # "." and ".." name a folder, never a download


def plain_text_name(name: str) -> str:
    """A text file's display name, with a suffix that promises markup or a script replaced by .txt."""
    cleaned = clean_name(name)
    stem, dot, suffix = cleaned.rpartition(".")
    if dot and f".{suffix.lower()}" in ACTIVE_SUFFIXES:
        return f"{stem}.txt"
    return cleaned


def _reencode(data: bytes, content_type: str) -> tuple[bytes, str]:
    """Decode and re-encode an image without its metadata; returns the bytes and the type saved."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data))
            if opened.width * opened.height > MAX_PIXELS:
                raise Invalid("file", N_("This picture is too large (at most 40 megapixels)."))
            image = ImageOps.exif_transpose(opened)  # upright, then the EXIF that said so is gone
            image.load()
        except (
            UnidentifiedImageError,
            OSError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            SyntaxError,
        ):
            raise Invalid("file", N_("This picture could not be read. Is the file damaged?")) from None
    image.info.clear()
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue(), "image/jpeg"
    if content_type == "image/webp":
        image.save(out, "WEBP", quality=88)
        return out.getvalue(), "image/webp"
    image.save(out, "PNG", optimize=True)  # PNG and GIF (its first frame) become a clean PNG
    return out.getvalue(), "image/png"


def read_capped(upload: BinaryIO, max_bytes: int) -> bytes:
    """Read at most ``max_bytes``; ``Invalid`` as soon as there is more."""
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Invalid("file", N_("The file is larger than %(mb)s MB."), mb=max_bytes // 1_048_576)
    if not data:
        raise Invalid("file", N_("Choose a file to upload."))
    return data


def check_upload(data: bytes, name: str) -> str:
    """The sniffed content type of an upload, or ``Invalid`` saying why it is refused."""
    content_type = sniff(data)
    if content_type not in ALLOWED:
        raise Invalid(
            "file",
            N_(
                "This kind of file is not accepted. Upload a photo (JPEG, PNG, WebP), "
                "a PDF, a plain text file or an Office document."
            ),
        )
    promised = EXTENSIONS.get(Path(name).suffix.lower())
    if promised is not None and not content_type.startswith(promised):
        raise Invalid("file", N_("The file's content does not match its name. Nothing was saved."))
    return content_type


def store(
    session: Session,
    upload_dir: Path,
    upload: BinaryIO,
    *,
    name: str,
    owner_kind: str,
    owner_id: object,
    uploaded_by_id: int | None,
    max_bytes: int,
) -> StoredFile:
    """Check and keep an uploaded file for its owner. Raises ``Invalid`` before anything is written."""
    prepared = prepare(upload, name=name, max_bytes=max_bytes)
    return keep(
        session, upload_dir, prepared, owner_kind=owner_kind, owner_id=owner_id, uploaded_by_id=uploaded_by_id
    )


@dataclass(frozen=True)
class Prepared:
    """An upload that passed every check, re-encoded if it is a picture, not yet stored."""

    data: bytes
    content_type: str
    name: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def prepare(upload: BinaryIO, *, name: str, max_bytes: int) -> Prepared:
    """Read, check and clean an upload (``Invalid`` says why not), so a form with several files can
    check them all before it writes anything."""
    data = read_capped(upload, max_bytes)
    content_type = check_upload(data, name)
    if content_type in IMAGE_TYPES:
        data, content_type = _reencode(data, content_type)
    shown = clean_name(name) if content_type != "text/plain" else plain_text_name(name)
    return Prepared(data, content_type, shown)


@dataclass(frozen=True)
class Upload:
    """A file as the web layer hands it over: its bytes and the name it came with."""

    file: BinaryIO
    name: str


def prepare_photos(
    errors: FieldErrors,
    photos: list[Upload],
    upload_dir: Path | None,
    max_bytes: int,
    *,
    limit: int,
    field: str = "photos",
) -> list[Prepared]:
    """Check a form's photos before anything is written; the first problem becomes the field's message."""
    if len(photos) > limit:
        errors.add(field, N_("At most %(max)s photos."), max=limit)
        return []
    prepared = []
    for photo in photos:
        try:
            checked = prepare(photo.file, name=photo.name, max_bytes=max_bytes)
        except Invalid as error:
            errors.errors.setdefault(field, error.errors["file"])
            continue
        if not checked.is_image or upload_dir is None:
            errors.add(field, N_("Only photos (JPEG, PNG, WebP) can be added here."))
            continue
        prepared.append(checked)
    return prepared


def keep_all(
    session: Session,
    upload_dir: Path | None,
    prepared: list[Prepared],
    *,
    owner_kind: str,
    owner_id: object,
    uploaded_by_id: int | None,
) -> None:
    """Store photos that ``prepare_photos`` passed (it refused any without a folder)."""
    for photo in prepared:
        assert upload_dir is not None
        keep(
            session,
            upload_dir,
            photo,
            owner_kind=owner_kind,
            owner_id=owner_id,
            uploaded_by_id=uploaded_by_id,
        )


def keep(
    session: Session,
    upload_dir: Path,
    prepared: Prepared,
    *,
    owner_kind: str,
    owner_id: object,
    uploaded_by_id: int | None,
) -> StoredFile:
    """Store a prepared upload for its owner."""
    stored = StoredFile(
        sha256=hashlib.sha256(prepared.data).hexdigest(),
        size=len(prepared.data),
        content_type=prepared.content_type,
        extension=ALLOWED[prepared.content_type],
        original_name=prepared.name,
        owner_kind=owner_kind,
        owner_id=str(owner_id),
        uploaded_by_id=uploaded_by_id,
        created_at=clock.now(),
    )
    _write_once(upload_dir / stored.relative_path, prepared.data)
    session.add(stored)
    return stored


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)  # atomic: a reader never sees half a file


def path_of(upload_dir: Path, stored: StoredFile) -> Path:
    return upload_dir / stored.relative_path


def remove(session: Session, stored: StoredFile) -> None:
    """Forget a file's row; the bytes stay while another row shares the same content."""
    session.delete(stored)
