"""/docs (Swagger UI) and /redoc work without internet: their scripts, styles and icon come
from the package (sanctrace/api/static/docs), served by the app at /static/docs, not from a
CDN; each page's Content-Security-Policy lets a browser load nothing from elsewhere.

Checked on the app in-process (the TestClient), through a real ``sanctrace serve`` on a fresh
home with the network off for Python (tests/api/netguard.py: every connect to an address but
loopback refused, in this process and in the server's), and in headless Chromium, whose every
host name but 127.0.0.1 resolves to nothing, so that a page needing a CDN would stay blank.
"""

from __future__ import annotations

import fnmatch
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from browsers import chromium
from fastapi.testclient import TestClient

from sanctrace.api import ApiSettings, create_app
from sanctrace.api.docs import PREFIX, STATIC, content_security_policy
from sanctrace.match import Screener, build_index
from sanctrace.store import open_store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("/docs", "/redoc")
#: The acceptance check's pattern (shared/acceptance/11-first-run) of a CDN reference.
CDN = re.compile(r"https?://[a-z0-9.-]+/(npm|ajax|gh)/|cdn\.")
#: Any absolute or protocol-relative URL.
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
#: The spec in Swagger UI's inline script.
SPEC_URL = re.compile(r"\burl: '([^']*)'")
TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}
#: What each page loads.
ASSETS = {
    "/docs": {
        f"{PREFIX}/swagger-ui/swagger-ui-bundle.js",
        f"{PREFIX}/swagger-ui/swagger-ui.css",
        f"{PREFIX}/swagger-ui/favicon-32x32.png",
    },
    "/redoc": {f"{PREFIX}/redoc/redoc.standalone.js", f"{PREFIX}/swagger-ui/favicon-32x32.png"},
}


class Links(HTMLParser):
    """The URLs a page loads: those of its elements (``<script src>``, ``<link href>``,
    ``<img src>``, Redoc's ``spec-url``) and the spec Swagger UI's inline script names; and
    the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "spec-url", "data"):
            if found.get(name):
                self.urls.append(str(found[name]))
        self._in_script = tag == "script" and not found.get("src")
        if self._in_script:
            self.inline.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            self.urls.extend(SPEC_URL.findall(self.inline[-1]))

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline[-1] += data


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    parser.close()
    return parser


def is_type(content_type: str, path: str) -> bool:
    return content_type.split(";")[0].strip() in TYPES[Path(path).suffix]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app over an empty store (the pages need no lists), ready at once."""
    db = str(tmp_path / "sanctrace.db")
    with open_store(db) as store:
        screener = Screener(build_index(store))
    app = create_app(open_store(db), settings=ApiSettings(), screener=screener)
    with TestClient(app) as opened:
        yield opened


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_link_no_other_host(client: TestClient, page: str) -> None:
    answer = client.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert CDN.search(answer.text) is None
    assert not re.search(r"https?://", answer.text), "an absolute URL in the page"
    found = links(answer.text)
    assert not [url for url in found.urls if ABSOLUTE.match(url)]
    assert set(found.urls) == ASSETS[page] | {"/openapi.json"}


@pytest.mark.parametrize("page", PAGES)
def test_every_file_a_page_loads_is_served_by_the_app(client: TestClient, page: str) -> None:
    found = links(client.get(page).text)
    for url in found.urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        if url == "/openapi.json":
            assert answer.json()["info"]["title"] == "sanctrace"
            continue
        assert is_type(answer.headers["content-type"], url), (url, answer.headers)
        # the package's file, unchanged
        assert answer.content == (STATIC / url.removeprefix(f"{PREFIX}/")).read_bytes()


def test_the_pages_need_no_key_and_the_api_still_does(client: TestClient) -> None:
    for page in (*PAGES, f"{PREFIX}/redoc/redoc.standalone.js", "/openapi.json"):
        assert client.get(page).status_code == 200, page
    assert client.get("/lists").status_code == 401
    assert client.get(f"{PREFIX}/").status_code == 404  # no listing


def test_the_policy_allows_the_inline_script_by_its_hash(client: TestClient) -> None:
    swagger = client.get("/docs")
    policy = swagger.headers["content-security-policy"]
    inline = links(swagger.text).inline
    assert len(inline) == 1 and "SwaggerUIBundle(" in inline[0]
    assert policy == content_security_policy(swagger.text)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    script = directives["script-src"].split()
    assert script[0] == "'self'" and len(script) == 2 and script[1].startswith("'sha256-")
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    redoc = client.get("/redoc").headers["content-security-policy"]
    assert "script-src 'self';" in redoc  # no inline script at all


def test_the_pages_follow_the_root_path_of_a_proxy(tmp_path: Path) -> None:
    db = str(tmp_path / "sanctrace.db")
    with open_store(db) as store:
        screener = Screener(build_index(store))
    app = create_app(open_store(db), settings=ApiSettings(), screener=screener)
    with TestClient(app, root_path="/screening") as client:
        found = links(client.get("/docs").text)
        assert {u for u in found.urls if u != "/screening/openapi.json"} == {
            "/screening" + url for url in ASSETS["/docs"]
        }
        assert "url: '/screening/openapi.json'" in found.inline[0]


def test_the_files_are_package_data() -> None:
    """Every file of static/docs is matched by a package-data pattern (so it is in the wheel:
    a new folder there needs its line in pyproject.toml), with the licences and README."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        patterns = tomllib.load(file)["tool"]["setuptools"]["package-data"]["sanctrace"]
    package = STATIC.parents[2]
    files = [p.relative_to(package).as_posix() for p in STATIC.rglob("*") if p.is_file()]
    # setuptools globs: "*" does not cross a "/"
    unmatched = [
        f
        for f in files
        if not any(fnmatch.fnmatch(f, p) and f.count("/") == p.count("/") for p in patterns)
    ]
    assert unmatched == []
    names = {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}
    assert {
        "README.md",
        "swagger-ui/LICENSE",
        "redoc/LICENSE",
        "redoc/redoc.standalone.js.LICENSE.txt",
        "swagger-ui/swagger-ui-bundle.js.LICENSE.txt",
    } <= names
    readme = (STATIC / "README.md").read_text(encoding="utf-8")
    assert "drf-spectacular-sidecar" in readme and "Apache-2.0" in readme and "MIT" in readme


# --- a real server, the network off --------------------------------------------------------


@dataclass
class Server:
    url: str
    refused: Path
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``sanctrace serve`` on a fresh home (it installs the bundled lists first, as a first
    run does), every connect of its Python code to an address but loopback refused and noted
    in ``refused``."""
    folder = tmp_path_factory.mktemp("offline-serve")
    port = free_port()
    refused, log = folder / "refused.txt", folder / "serve.log"
    refused.touch()
    env = {
        **os.environ,
        "SANCTRACE_HOME": str(folder / "home"),
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    env.pop("SANCTRACE_DB", None)
    command = [sys.executable, "-m", "netguard", str(refused), "sanctrace", "serve"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"sanctrace serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield Server(url, refused, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_pages_and_their_files_come_from_a_server_offline(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netguard

    refused = netguard.install(monkeypatch.setattr)
    with pytest.raises(OSError, match="network is off"):  # the guard holds here
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    refused.clear()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for page in PAGES:
            answer = http.get(page)
            assert answer.status_code == 200
            assert CDN.search(answer.text) is None
            found = links(answer.text).urls
            assert set(found) == ASSETS[page] | {"/openapi.json"}
            for url in found:
                got = http.get(url)
                assert got.status_code == 200, url
                if url != "/openapi.json":
                    assert is_type(got.headers["content-type"], url), (url, got.headers)
                    assert int(got.headers["content-length"]) == len(got.content) > 0
    assert refused == []  # this process reached for nothing else
    assert server.refused.read_text() == ""  # nor did the server, its first run included


# --- a browser, the network off ------------------------------------------------------------


#: Redoc's sidebar shows a "powered by" logo from its CDN (no option turns it off); the
#: policy blocks it, and Redoc then hides it. Nothing else may be blocked.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(
    ("page", "drawn"),
    [("/docs", 'data-path="/screen"'), ("/redoc", ">/screen<")],
    ids=["swagger-ui", "redoc"],
)
def test_a_browser_without_network_draws_the_pages(
    server: Server, tmp_path: Path, page: str, drawn: str
) -> None:
    """The page's script ran (the operations are in the DOM), with every host name but
    127.0.0.1 unresolvable, and under the page's policy, which blocked nothing it needs."""
    browser = chromium()
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=30000",
            "--dump-dom",
            server.url + page,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert drawn in proc.stdout, proc.stderr[-3000:]
    blocked = [
        line
        for line in proc.stderr.splitlines()
        if "Content Security Policy" in line and REDOC_LOGO not in line
    ]
    assert blocked == []
