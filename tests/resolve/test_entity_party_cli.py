"""``sanctrace entity ID`` for a party: by its id, a merged party's old id, or one of its record
ids (which still shows the record as before, with its party); every listing side by side and
the judgements that joined them. Real records (see party_stages); the stage homes are only
read."""

from __future__ import annotations

import json

from homes import sanctrace as run
from party_stages import Stages

from sanctrace.store import open_store

LISTING_FIELDS = {"dataset", "id", "list", "programs", "listed_on", "version", "names"}


def test_a_party_shows_every_listing_and_the_judgements_that_joined_them(
    party_stages: Stages,
) -> None:
    stage = party_stages.un
    au, gb, un = party_stages.bridged
    party = stage.parties.party_of(un)
    data = json.loads(run(stage.home, "entity", party, "--format", "json").stdout)
    assert data["id"] == party and "merged_from" not in data
    assert data["referents"] == [au, gb, un]
    assert data["datasets"] == ["au_dfat_sanctions", "gb_fcdo_sanctions", "un_sc_sanctions"]
    assert data["caption"] == next(d["caption"] for d in data["listings"] if d["id"] == un)
    for listing in data["listings"]:
        assert set(listing) >= LISTING_FIELDS and listing["names"] and listing["programs"]
    assert {v["dataset"] for v in data["list_versions"]} == set(data["datasets"])
    joined = data["judgements"]
    assert joined and all(j["verdict"] == "same" and j["why"] and j["at"] for j in joined)
    assert all(un in (j["a"], j["b"]) for j in joined), "the UN record joins the two others"
    table = run(stage.home, "entity", party).stdout
    assert all(r in table for r in party_stages.bridged) and "Judgements that joined them" in table
    assert "list version" in table and "2025-04-19" in table


def test_a_merged_partys_old_id_leads_to_the_party(party_stages: Stages) -> None:
    stage = party_stages.un
    au, gb, un = party_stages.bridged
    younger = next(
        p
        for p in (party_stages.lists.parties.party_of(r) for r in (au, gb))
        if p != stage.parties.party_of(un)
    )
    data = json.loads(run(stage.home, "entity", younger, "--format", "json").stdout)
    assert data["id"] == stage.parties.party_of(un) and data["merged_from"] == younger
    assert set(data["referents"]) == set(party_stages.bridged)


def test_a_record_id_shows_the_record_as_before_with_its_party(party_stages: Stages) -> None:
    stage = party_stages.judged
    a, b = party_stages.joined
    data = json.loads(run(stage.home, "entity", a, "--format", "json").stdout)
    with open_store(str(stage.home / "sanctrace.db")) as store:
        entity, info = store.get_entity(a)
    assert {k: data[k] for k in entity.to_dict()} == json.loads(json.dumps(entity.to_dict()))
    assert data["list_version"] == info.to_dict() and "linked_from" in data
    party = data["party"]
    assert party["id"] == stage.parties.party_of(a) and {a, b} <= set(party["referents"])
    (analyst,) = [j for j in party["judgements"] if j["source"] == "analyst"]
    assert analyst["user"] == "tester" and analyst["why"] and analyst["at"]


def test_an_unknown_party_is_a_one_line_error(party_stages: Stages) -> None:
    proc = run(party_stages.un.home, "entity", "P-nosuchpart", check=False)
    assert proc.returncode == 4 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("error: no party 'P-nosuchpart'")
