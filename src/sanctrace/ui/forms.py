"""Reading a page's form: the UI's routes take no ``Form()`` parameters (the API's app-wide
input check reads JSON bodies only), so each reads its form here, bounded and checked."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile

from sanctrace.api.guards import text_problem

#: Longest text field (a reason, a pasted name).
MAX_FIELD_CHARS = 10_000


async def read_form(request: Request, *, max_files: int = 0, max_fields: int = 50) -> FormData:
    """The request's form; 422 for a text field that is too long or holds a NUL or a lone
    surrogate, 413 for more files or fields than the page has."""
    try:
        form = await request.form(max_files=max_files, max_fields=max_fields)
    except HTTPException:
        raise
    except Exception as exc:  # multipart's own errors: a malformed or oversized form
        raise HTTPException(400, f"the form could not be read: {exc}") from None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            continue
        if len(value) > MAX_FIELD_CHARS:
            raise HTTPException(
                422, f"the field {name[:40]!r} is over {MAX_FIELD_CHARS:,} characters"
            )
        problem = text_problem(value) or text_problem(name)
        if problem:
            raise HTTPException(422, f"the field {name[:40]!r}: {problem}")
    return form


def text(form: FormData, name: str, default: str = "") -> str:
    value: Any = form.get(name)
    return value if isinstance(value, str) else default
