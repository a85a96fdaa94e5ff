"""Every route of the OpenAPI document fuzzed with hypothesis: path and query parameters of the
right and wrong types, JSON bodies of the declared shape and of any shape, raw bodies with lone
surrogates, NaN, huge numbers and deep nesting, odd content types, a key of each role. No
answer may be a 5xx and the audit-failure counter may never move: client input is never a
server error (issue 14, finding 6).

schemathesis would do this from the same document, but pulls in a dozen packages; the
strategies below read the document themselves.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.api import batches, monitoring, native, scan, yente
from sanctrace.keys import ApiKey

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]
ClientFactory = Callable[..., TestClient]

ROLES = ("screener", "analyst", "admin", "none", "bad")
EXAMPLES = 30
#: Query values in range, for the well-formed half of the requests.
GOOD_QUERY: dict[str, st.SearchStrategy[Any]] = {
    "q": st.sampled_from(["Kupol", "Kim Jong Un", "华为", ""]),
    "limit": st.sampled_from([1, 5, 50]),
    "threshold": st.sampled_from([0, 0.3, 0.8, 1]),
    "since": st.sampled_from(["2020-01-01", "2099-01-01T00:00:00Z"]),
}
#: Path values that get past the 404s, so that the work behind them is fuzzed too.
GOOD_PATH = {
    "dataset": ["default", "sanctions", "us_ofac_sdn", "un_sc"],
    "entity_id": ["us_ofac_sdn:46431", "un_sc:QDi.001"],
    "alert_id": ["1"],
}


def _document() -> dict[str, Any]:
    app = FastAPI()
    for module in (yente, native, batches, monitoring, scan):
        app.include_router(module.router)
    return app.openapi()


DOCUMENT = _document()
ROUTES = sorted(
    (path, method)
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in ("get", "post", "put", "delete", "patch")
)

# -- values ------------------------------------------------------------------------------------

#: Text a URL can carry (httpx cannot encode a lone surrogate), with the odd characters kept.
url_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
odd_strings = st.sampled_from(
    [
        "",
        " ",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "-1",
        "0",
        "9" * 30,
        "0001-01-01",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31",
        "9999-12-31T23:59:59-05:00",
        "2024-02-30",
        "\x00",
        "a\x00b",
        "default",
        "us_ofac_sdn:46431",
        "x" * 2000,
        "Алмаз-Антей",
        "华为",
        "%",
        "../../etc/passwd",
    ]
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, -1, 2**63, 2**64, 10**30]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, url_text, odd_strings)
any_json = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(url_text, inner, max_size=5)
    ),
    max_leaves=20,
)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return _resolve(DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]])
    return schema


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a JSON schema's shape (bounds and formats ignored: out of range is wanted)."""
    schema = _resolve(schema)
    if depth > 4:
        return scalars
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, depth + 1) for s in schema[key]])
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), url_text)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = {k: from_schema(v, depth + 1) for k, v in props.items() if k in required}
        optional = {k: from_schema(v, depth + 1) for k, v in props.items() if k not in required}
        extra = schema.get("additionalProperties")
        base = st.fixed_dictionaries(fixed, optional=optional)
        if isinstance(extra, dict):
            more = st.dictionaries(url_text, from_schema(extra, depth + 1), max_size=4)
            return st.builds(lambda a, b: {**b, **a}, base, more)
        return base
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=4)
    if kind == "integer":
        return st.one_of(st.integers(min_value=-(2**70), max_value=2**70), odd_strings)
    if kind == "number":
        return numbers
    if kind == "boolean":
        return st.one_of(st.booleans(), odd_strings)
    if kind == "string":
        return st.one_of(url_text, odd_strings)
    return any_json


names = st.one_of(
    st.sampled_from(["IEMZ Kupol", "Kim Jong Un", "Huawei", "华为技术", "Алмаз-Антей", "Rosneft"]),
    url_text,
    odd_strings,
)
properties = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "alias",
            "country",
            "jurisdiction",
            "birthDate",
            "firstName",
            "lastName",
            "taxNumber",
            "imoNumber",
            "weakAlias",
            "topics",
            "shoeSize",
        ]
    ),
    st.one_of(names, st.lists(st.one_of(names, numbers), max_size=4)),
    max_size=4,
)
#: Bodies of the routes that screen, shaped as their clients send them.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "/match/{dataset}": st.fixed_dictionaries(
        {
            "queries": st.dictionaries(
                st.one_of(st.sampled_from(["q1", "a", ""]), url_text),
                st.fixed_dictionaries(
                    {
                        "schema": st.sampled_from(
                            ["Company", "Person", "Thing", "Vessel", "Address", "Nope"]
                        ),
                        "properties": properties,
                    }
                ),
                max_size=3,
            )
        },
        optional={"weights": any_json, "config": any_json},
    ),
    "/screen": st.fixed_dictionaries(
        {"name": names},
        optional={
            "schema": st.sampled_from(["Company", "Person", "Vessel", "Nope"]),
            "countries": st.lists(st.sampled_from(["RU", "ru", "Russia", "XX", "", "KP"])),
            "birth_dates": st.lists(st.sampled_from(["1984", "1984-01-08", "soon", "0000"])),
            "identifiers": st.lists(names, max_size=3),
            "threshold": numbers,
            "limit": numbers,
            "datasets": st.lists(st.sampled_from(["us_ofac_sdn", "eu_fsf", ""]), max_size=2),
        },
    ),
}


def raw_json(value: Any) -> st.SearchStrategy[bytes]:
    """A body as bytes, with what Python's json reads but no endpoint can use spliced in."""
    text = json.dumps(value)
    splices = st.sampled_from(
        [
            '"\\ud800"',
            '"a\\udfffb"',
            '"\\ud83d\\ude00"',
            '"\\u0000"',
            "NaN",
            "Infinity",
            "-Infinity",
            "1e400",
            "9" * 5000,
            "[" * 3000 + "]" * 3000,
            '{"\\ud800": 1}',
        ]
    )

    def splice(token: str) -> bytes:
        if text.startswith("{") and text != "{}":
            return ("{" + '"x": ' + token + ", " + text[1:]).encode()
        return token.encode()

    plain = st.just(text.encode())
    return st.one_of(plain, plain, plain, splices.map(splice), st.binary(max_size=64))


def request_for(path: str, method: str) -> st.SearchStrategy[dict[str, Any]]:
    op = DOCUMENT["paths"][path][method]
    params = op.get("parameters", [])
    path_params = [p for p in params if p["in"] == "path"]
    query_params = [p for p in params if p["in"] == "query"]
    body_schema = (
        op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    )

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        url = path
        for p in path_params:
            good = st.sampled_from(GOOD_PATH.get(p["name"], ["x"]))
            value = draw(st.one_of(good, good, from_schema(p.get("schema", {})), odd_strings))
            url = url.replace("{" + p["name"] + "}", urllib.parse.quote(str(value), safe="") or "x")
        query: list[tuple[str, str]] = []
        clean = draw(st.integers(0, 2)) != 2  # most requests well formed, to reach the work
        for p in query_params:
            if clean:
                if p["name"] in GOOD_QUERY and draw(st.booleans()):
                    query.append((p["name"], str(draw(GOOD_QUERY[p["name"]]))))
            elif draw(st.integers(0, 3)) == 0:
                value = draw(st.one_of(from_schema(p.get("schema", {})), odd_strings))
                values = value if isinstance(value, list) else [value]
                query.extend(
                    (p["name"], json.dumps(v) if isinstance(v, dict) else str(v)) for v in values
                )
        content: bytes | None = None
        content_type = draw(
            st.sampled_from(
                ["application/json"] * 6
                + [
                    "application/json; charset=utf-8",
                    "text/plain",
                    None,
                    "multipart/form-data; boundary=x",
                    "application/x-www-form-urlencoded",
                ]
            )
        )
        if clean:
            content_type = "application/json"
        if method != "get" and (clean or draw(st.booleans())):
            shaped = from_schema(body_schema) if body_schema else any_json
            plausible = PLAUSIBLE.get(path, shaped)
            if clean:
                content = json.dumps(draw(plausible)).encode()
            else:
                content = draw(st.one_of(plausible, shaped, any_json).flatmap(raw_json))
        return {
            "method": method.upper(),
            "url": url,
            "params": query,
            "content": content,
            "content_type": content_type,
            "role": "admin" if clean else draw(st.sampled_from(ROLES)),
        }

    return build()


# -- the test ------------------------------------------------------------------------------------


@pytest.fixture
def fuzz_client(
    make_client: ClientFactory, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    # POST /lists/update would fetch the official lists from the network: not in tests.
    monkeypatch.setattr(monitoring, "_run_update", lambda rt, state, d, c: state.lock.release())
    client = make_client(rate_limit=0, cost_rate=0, auth_fail_rate=0)
    headers = {role: make_key(role)[1] for role in ROLES[:3]}
    headers["none"] = {}
    headers["bad"] = {"Authorization": "ApiKey st_000000000000_nope"}
    yield client, headers


def audit_failures(client: TestClient, admin: dict[str, str]) -> float:
    for line in client.get("/metrics", headers=admin).text.splitlines():
        if line.startswith("sanctrace_audit_failures_total "):
            return float(line.split()[1])
    raise AssertionError("no audit-failure metric")


def test_every_route_is_fuzzed() -> None:
    assert len(ROUTES) >= 20
    assert ("post", "/match/{dataset}") in {(m, p) for p, m in ROUTES}


@pytest.mark.parametrize(("path", "method"), ROUTES)
def test_no_client_input_is_a_server_error(
    fuzz_client: tuple[TestClient, dict[str, dict[str, str]]], path: str, method: str
) -> None:
    client, headers = fuzz_client
    before = audit_failures(client, headers["admin"])

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(request_for(path, method))
    def check(req: dict[str, Any]) -> None:
        sent = dict(headers[req["role"]])
        if req["content_type"]:
            sent["Content-Type"] = req["content_type"]
        response = client.request(
            req["method"], req["url"], params=req["params"], content=req["content"], headers=sent
        )
        assert response.status_code < 500, (req, response.status_code, response.text[:300])
        if response.headers.get("content-type", "").startswith("application/json"):
            response.json()  # every answer is valid JSON

    check()
    assert audit_failures(client, headers["admin"]) == before
