"""OpenSanctions' own Python client for yente (``yente-client`` from PyPI) against a real
sanctrace server on loopback: what it sends is accepted, what sanctrace answers parses into
its models, and its error classes come out for sanctrace's error statuses."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from sanctrace import keys
from sanctrace.api import ApiSettings, create_app
from sanctrace.match import Screener
from sanctrace.store import open_store

yente_client = pytest.importorskip("yente_client")


@pytest.fixture
def server(db: str, screener: Screener) -> Iterator[tuple[str, str]]:
    """(base URL, API key) of a server on a free loopback port."""
    with open_store(db) as store:
        _, secret = keys.create_key(store, "yente-client test", "screener")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(
        open_store(db), settings=ApiSettings(rate_limit=2, burst=40), screener=screener
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", secret
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_yente_client_matches_searches_and_fetches(server: tuple[str, str]) -> None:
    from yente_client import Client, Company, Person
    from yente_client.exceptions import (
        AuthenticationError,
        BadRequestError,
        NotFoundError,
        RateLimitError,
    )

    url, secret = server
    with Client(api_key=secret, base_url=url) as client:
        assert client.healthz().status == "ok"
        assert client.readyz().status == "ok"
        hits = client.match(Company(name="IEMZ Kupol"))
        # One result per party: the id is the party's, its lists' records are its referents.
        kupol = next(m for m in hits.matches if "us_ofac_sdn:46431" in m.referents)
        assert kupol.id.startswith("P-") and "au_dfat_sanctions:7904" in kupol.referents
        assert hits.limit == 5 and hits.total.value == len(hits.matches)
        assert kupol.schema_ == "Company" and kupol.match and kupol.score >= 0.8
        assert (
            "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"
            in (kupol.properties["name"])
        )
        assert kupol.last_seen is not None and kupol.last_seen.year == 2025
        assert hits.query["properties"] == {"name": ["IEMZ Kupol"]}
        only = client.match(
            Company(name="IEMZ Kupol", jurisdiction="ru"), datasets=["us_ofac_sdn"], threshold=0.9
        )
        assert [m.referents for m in only.results] == [["us_ofac_sdn:46431"]]
        assert "acronym" in (only.results[0].contributing_explanations["name"].detail or "")
        person = client.match(
            Person(firstName="Jong Un", lastName="Kim", birthDate="1984"), algorithm="best"
        )
        assert person.top is not None and person.top.schema_ == "Person"
        streamed = dict(
            client.match_iter(
                [("a", Company(name="IEMZ Kupol")), ("b", Company(name="Bank Melli"))], workers=2
            )
        )
        assert streamed["a"].top is not None and streamed["b"].top is not None

        found = client.search("Kupol", datasets=["default"], schema="Company")
        assert found.total.value >= 1 and found.results[0].schema_ == "Company"
        assert "datasets" in found.facets

        # A record id fetches its party, with every list's sanction of it.
        entity = client.fetch("us_ofac_sdn:46431")
        assert entity.id == kupol.id and "us_ofac_sdn:46431" in entity.referents
        sanctions = entity.properties["sanctions"]
        assert len(sanctions) == 3 and not any(isinstance(s, str) for s in sanctions)
        assert sanctions[0].properties["program"] == ["RUSSIA-EO14024"]
        assert client.fetch(kupol.id).id == kupol.id

        catalog = client.datasets()
        names = {d.name for d in catalog.datasets}
        assert {"default", "us_ofac_sdn"} <= names and not catalog.index_stale
        assert client.algorithms().best == "sanctrace"

        with pytest.raises(NotFoundError):
            client.fetch("us_ofac_sdn:0")
        with pytest.raises(NotFoundError):
            client.match(Company(name="IEMZ Kupol"), datasets=["eu_fsf"])
        with pytest.raises(BadRequestError, match="Invalid algorithm"):
            client.match(Company(name="IEMZ Kupol"), algorithm="magic")
        with pytest.raises(RateLimitError) as limited:
            for _ in range(60):
                client.healthz()
                client.datasets()
        assert limited.value.retry_after is not None and limited.value.retry_after >= 1

    wrong = Client(api_key="st_000000000000_wrong", base_url=url)
    with wrong, pytest.raises(AuthenticationError):
        wrong.match(Company(name="IEMZ Kupol"))
