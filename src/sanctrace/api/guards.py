"""Input no endpoint can use, refused with a 4xx before any route sees it: JSON sent under
another content type, lone UTF-16 surrogates and NUL characters (which no audit record, log
line or database text can hold), and NaN or infinite numbers (which JSON does not allow).

Without these checks such input reached the screener or the audit writer and came back as a
500, and on ``/match`` as a failed audit write, raising an alarm any screener could trip.
"""

from __future__ import annotations

import email.message
import math
import re
from typing import Any

from fastapi import HTTPException, Request

#: Characters no stored or logged text may hold: lone surrogates and NUL.
_BAD_CHARS = re.compile("[\ud800-\udfff\x00]")
#: Longest input echoed back in an error message.
_ECHO = 200


def printable(value: str, limit: int = _ECHO) -> str:
    """``value`` safe to send back in a JSON error: surrogates as ``\\udXXX``, cut to ``limit``."""
    text = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else f"<{len(value):,} characters>"


def json_safe(value: Any) -> Any:
    """Any input echoed in a validation error, made sendable as strict JSON (FastAPI echoes
    the input, which may be bytes, a NaN, or a string with a lone surrogate)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value):,} bytes>"
    if isinstance(value, dict):
        return {printable(str(k)): json_safe(v) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value[:50]]
    return printable(str(value))


def text_problem(text: str) -> str | None:
    found = _BAD_CHARS.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "holds a NUL character (\\u0000), which no text field may hold"
    return (
        f"holds a lone UTF-16 surrogate (\\u{ord(char):04x}), which is not text: "
        "send UTF-8, or a surrogate pair for a character outside the BMP"
    )


def bad_value(data: Any) -> tuple[tuple[Any, ...], str, str] | None:
    """The location, reason and error type of the first value in parsed JSON that no endpoint
    can use (walked without recursion: a deeply nested body is no threat to the stack)."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return loc, f"the string {problem}", "string_unicode"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return loc, f"{item} is not a number JSON allows (NaN, Infinity)", "finite_number"
        elif isinstance(item, dict):
            for key, value in item.items():
                problem = text_problem(key)
                if problem:
                    return (*loc, printable(key)), f"the key {problem}", "string_unicode"
                stack.append(((*loc, key), value))
        elif isinstance(item, list):
            stack.extend(((*loc, i), value) for i, value in enumerate(item))
    return None


def is_json_type(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def invalid(loc: tuple[Any, ...], message: str, kind: str = "value_error") -> HTTPException:
    """A 422 in FastAPI's shape: ``detail`` is a list of ``{"type", "loc", "msg"}``."""
    return HTTPException(422, [{"type": kind, "loc": list(loc), "msg": message}])


async def checked_input(request: Request) -> None:
    """An app-wide dependency: 415 for a JSON body sent without the JSON content type (FastAPI
    would not parse it, so it could only fail validation), 422 for a
    lone surrogate, NUL or non-finite number anywhere in the body, query or path."""
    for name, value in request.query_params.multi_items():
        problem = text_problem(value) or text_problem(name)
        if problem:
            raise invalid(("query", printable(name)), f"the query parameter {problem}")
    for name, value in request.path_params.items():
        problem = text_problem(str(value))
        if problem:
            raise invalid(("path", name), f"the path parameter {problem}")
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is None:
        return  # no JSON body (none, or a file read by the route itself)
    body = await request.body()
    if not body:
        return
    content_type = request.headers.get("content-type")
    if not content_type or not is_json_type(content_type):
        sent = f"not {printable(content_type, 60)!r}" if content_type else "none was sent"
        raise HTTPException(
            415, f"the body must be JSON sent as 'Content-Type: application/json' ({sent})"
        )
    found = bad_value(await request.json())
    if found is not None:
        loc, message, kind = found
        raise invalid(("body", *loc), message, kind)
