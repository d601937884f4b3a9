"""From the database to the index: read documents of some kind in bulk, write or remove them.

What becomes searchable is decided by each kind's ``documents`` reader (``search/kinds/``): an id it
does not return (a hidden post, a draft, a row that is gone) is removed from the index. This is the one
path both the follower and the rebuild take, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from search.registry import KINDS, Document, Searchable
from search.schema import pinyin_keys

CHUNK = 500  # ids read per statement: large enough to be quick, small enough for any IN list


def key(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def fields(searchable: Searchable, object_id: int, document: Document) -> dict[str, Any]:
    """The Whoosh fields of one document."""
    return {
        "key": key(searchable.kind, object_id),
        "kind": searchable.kind,
        "group": searchable.group,
        "cell": " ".join(document.cells),
        "ts": int(document.updated_at.timestamp()),
        "title": document.title,
        "body": document.body,
        "grams": f"{document.title}\n{document.body}",
        "title_grams": document.title,
        "pinyin": pinyin_keys(document.title),
        "title_text": document.title,
        "body_text": document.body,
    }


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for object_id in ids:
        batch.append(object_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def read(session: Session, kind: str, ids: Sequence[int]) -> dict[int, dict[str, Any] | None]:
    """Each id's fields now, or None where it must not be (or no longer is) in the index."""
    searchable = KINDS.get(kind)
    if searchable is None:  # a kind from a feature this process does not have: leave it alone
        return {}
    found: dict[int, dict[str, Any] | None] = {}
    for batch in chunks(sorted(set(ids))):
        documents = searchable.documents(session, batch)
        for object_id in batch:
            document = documents.get(object_id)
            found[object_id] = None if document is None else fields(searchable, object_id, document)
    return found


def write(writer: Any, kind: str, found: dict[int, dict[str, Any] | None]) -> int:
    """Apply what ``read`` found: update present documents, delete absent ones. Idempotent."""
    for object_id, document in found.items():
        if document is None:
            writer.delete_by_term("key", key(kind, object_id))
        else:
            writer.update_document(**document)
    return len(found)
