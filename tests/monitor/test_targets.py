"""Webhook targets: the server-side request forgeries of issue 14 (finding 7) are refused when a
sink is added and again before every delivery, after DNS resolution; redirects are not
followed; plain http needs --allow-insecure."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from homes import sanctrace

from sanctrace.errors import SanctraceError
from sanctrace.monitor import alerts, delivery, targets
from sanctrace.store import Store, open_store

SECRET = "test-secret-0123456789abcdef"


def resolver(table: dict[str, list[str]]) -> targets.Resolver:
    def resolve(host: str, port: int) -> list[str]:
        return table.get(host) or targets.system_resolver(host, port)

    return resolve


PUBLIC = resolver({"hooks.example.org": ["93.184.215.14"]})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "store.db"))


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://100.100.100.200/latest/meta-data/",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://0x7f000001/hook",
        "https://2130706433/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "https://10.0.0.7/hook",
        "https://192.168.1.10/hook",
        "https://100.64.0.1/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://255.255.255.255/hook",
    ],
)
def test_internal_addresses_are_refused(store: Store, url: str) -> None:
    with pytest.raises(targets.UnsafeTarget, match=r"refused|--allow-insecure"):
        delivery.add_sink(store, "siem", webhook=url, secret=SECRET)
    assert delivery.sinks(store) == []


def test_a_public_name_resolving_inside_is_refused(store: Store) -> None:
    rebound = resolver({"hooks.example.org": ["93.184.215.14", "169.254.169.254"]})
    with pytest.raises(targets.UnsafeTarget, match=r"hooks\.example\.org -> 169\.254\.169\.254"):
        delivery.add_sink(
            store, "siem", webhook="https://hooks.example.org/x", secret=SECRET, resolve=rebound
        )


def test_plain_http_needs_an_explicit_flag(store: Store) -> None:
    with pytest.raises(targets.UnsafeTarget, match="--allow-insecure"):
        delivery.add_sink(
            store, "siem", webhook="http://hooks.example.org/x", secret=SECRET, resolve=PUBLIC
        )
    sink = delivery.add_sink(
        store,
        "siem",
        webhook="http://hooks.example.org/x",
        secret=SECRET,
        resolve=PUBLIC,
        policy=targets.Policy(allow_insecure=True),
    )
    assert sink.target == "http://hooks.example.org/x"


def test_private_networks_need_an_explicit_flag_and_metadata_never(store: Store) -> None:
    private = targets.Policy(allow_private=True)
    sink = delivery.add_sink(
        store, "siem", webhook="https://10.0.0.7/hook", secret=SECRET, policy=private
    )
    assert sink.target == "https://10.0.0.7/hook"
    everything = targets.Policy(allow_insecure=True, allow_private=True)
    for url in ("http://169.254.169.254/latest/", "https://[fe80::1]/", "http://0.0.0.0/"):
        with pytest.raises(targets.UnsafeTarget, match="refused"):
            delivery.add_sink(store, "meta", webhook=url, secret=SECRET, policy=everything)


def test_credentials_in_the_url_are_refused(store: Store) -> None:
    with pytest.raises(targets.UnsafeTarget, match="credentials"):
        delivery.add_sink(
            store, "s", webhook="https://u:p@hooks.example.org/", secret=SECRET, resolve=PUBLIC
        )


def _queue_one(store: Store) -> None:
    alerts.raise_alerts(
        store,
        [
            alerts.NewAlert(
                kind="new",
                watchlist="clients",
                key="C1",
                entity_id="us_ofac_sdn:46431",
                score=0.95,
                customer_fp="cfp",
                entity_fp="efp",
            )
        ],
    )


def test_every_delivery_checks_the_address_again_and_pins_it(store: Store) -> None:
    """A name that was public when the sink was added and now points at the metadata service
    (DNS rebinding) is not sent to; while it is public, the request goes to the address that
    was checked, with the original Host header."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    delivery.add_sink(
        store, "siem", webhook="https://hooks.example.org/x", secret=SECRET, resolve=PUBLIC
    )
    _queue_one(store)
    rebound = resolver({"hooks.example.org": ["169.254.169.254"]})
    report = delivery.deliver(store, client=client, max_attempts=1, resolve=rebound)
    assert (report.delivered, report.dead) == (0, 1)
    assert seen == []
    [dead] = delivery.dead_letters(store)
    assert dead.last_error is not None and "169.254.169.254" in dead.last_error

    delivery.redeliver(store, None)
    report = delivery.deliver(store, client=client, max_attempts=1, resolve=PUBLIC)
    assert report.delivered == 1
    [request] = seen
    assert request.url.host == "93.184.215.14"
    assert request.headers["host"] == "hooks.example.org"
    assert request.extensions["sni_hostname"] == "hooks.example.org"


def test_redirects_are_not_followed(store: Store) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    delivery.add_sink(
        store, "siem", webhook="https://hooks.example.org/x", secret=SECRET, resolve=PUBLIC
    )
    _queue_one(store)
    report = delivery.deliver(store, client=client, max_attempts=1, resolve=PUBLIC)
    assert report.dead == 1
    assert seen == ["https://93.184.215.14/x"]
    [dead] = delivery.dead_letters(store)
    assert dead.last_error is not None and "redirect not followed" in dead.last_error


def test_the_command_line_refuses_the_metadata_address(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = sanctrace(
        home,
        "alerts", "sinks", "add", "metadata",
        "--webhook", "http://169.254.169.254/latest/meta-data/",
        "--secret", SECRET, "--allow-insecure", "--allow-private",
        check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "link-local or cloud-metadata" in proc.stderr
    assert "Traceback" not in proc.stderr
    listed = sanctrace(home, "alerts", "sinks", "list", "--format", "json")
    assert json.loads(listed.stdout) == []


def test_an_unsafe_policy_is_for_webhooks_only(store: Store, tmp_path: Path) -> None:
    with pytest.raises(SanctraceError, match="webhooks only"):
        delivery.add_sink(
            store,
            "file",
            jsonl=str(tmp_path / "a.jsonl"),
            policy=targets.Policy(allow_insecure=True),
        )
