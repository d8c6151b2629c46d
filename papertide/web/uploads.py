"""How import forms (the For-you library on /me/interests, a collection's "Add papers from a file
or list") hand over what the member chose: the uploaded file, else the pasted text."""

from __future__ import annotations

from typing import Any, TypeGuard

from fastapi import UploadFile

from papertide.domain.accounts import InvalidInput
from papertide.recs.library import MAX_IMPORT_BYTES, check_size


def file_chosen(file: UploadFile | None) -> TypeGuard[UploadFile]:
    """Whether the form's file input named a file (a form sent with none has an empty filename)."""
    return file is not None and bool(file.filename)


async def reading_list(file: UploadFile | None, pasted: str) -> tuple[str, bytes | str]:
    """``(filename, content)``: the file when one was chosen and is not empty, else the pasted ids.

    A file over the size limit is refused (LibraryError) from its declared size, before it is
    read, and only the limit's worth of it is ever read. Nothing chosen and nothing pasted is
    :class:`InvalidInput`.
    """
    if file_chosen(file):
        check_size(file.size or 0)
        data = await file.read(MAX_IMPORT_BYTES + 1)
        if data:
            return (file.filename or "")[:200], data
    if pasted.strip():
        return "", pasted
    raise InvalidInput("Choose a file or paste arXiv ids to import.")


# Pasted text is given back to a refused form up to this many characters (a page, not a 5 MB echo).
MAX_ECHOED_CHARS = 100_000


def import_echo(file: UploadFile | None, pasted: str) -> dict[str, Any]:
    """What a refused import's form shows again: which field the error is about (the file when one
    was chosen, else the pasted text) and the pasted text, so nobody pastes it twice."""
    return {"import_field": "file" if file_chosen(file) else "ids", "import_ids": pasted[:MAX_ECHOED_CHARS]}
