"""Screening: candidates from the index, names scored and explained, evidence weighed."""

from __future__ import annotations

import gc
import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sanctrace import __version__
from sanctrace.errors import SanctraceError
from sanctrace.match.config import DEFAULT_CONFIG, MatchConfig
from sanctrace.match.evidence import weigh_evidence
from sanctrace.match.features import evidence_of
from sanctrace.match.index import INDEX_FORMAT, Index, distinct_forms
from sanctrace.match.learned import default_model
from sanctrace.match.score import NameScore, score_forms
from sanctrace.match.types import IndexedEntity, Match, Query, Score, schemata_compatible
from sanctrace.model.entity import SCHEMATA, Entity
from sanctrace.normalize import NameForm, name_forms, token_weight
from sanctrace.store import Store, VersionInfo

#: How well the query must match a listed party's own expansion of an acronym it matched.
ACRONYM_EXPANSION_AGREES = 0.6
#: Schemata a query may name.
QUERY_SCHEMATA = frozenset({*SCHEMATA, "Thing"})
#: A query name longer than this is refused: no listed name comes near it.
MAX_QUERY_CHARS = 1000
#: Token pairs remembered across queries before the memo starts afresh (about 100 MB).
_TOKEN_MEMO_LIMIT = 500_000
#: Answers remembered, most recent first.
_ANSWER_MEMO_LIMIT = 20_000
#: Answers computed between two moves of the memos out of the garbage collector's sight.
_FREEZE_EVERY = 2_000


def _best_name(
    query_forms: list[NameForm],
    candidate: NameForm,
    *,
    person: bool,
    weight: Any,
    config: MatchConfig,
    memo: dict[tuple[str, str, int], tuple[float, str]] | None = None,
    query_weights: list[list[float]] | None = None,
    candidate_weights: Sequence[float] | None = None,
) -> NameScore:
    best: NameScore | None = None
    for k, form in enumerate(query_forms):
        result = score_forms(
            form,
            candidate,
            person=person,
            weight=weight,
            config=config,
            memo=memo,
            q_weights=query_weights[k] if query_weights is not None else None,
            c_weights=candidate_weights,
        )
        if best is None or result.score > best.score:
            best = result
    assert best is not None
    return best


def _acronym_disowned(
    query_forms: list[NameForm],
    name: NameScore,
    entity: IndexedEntity,
    person: bool,
    weight: Any,
    config: MatchConfig,
) -> bool:
    """Whether the query's words were taken for a listed acronym that the listed party itself
    spells out as another name: "Toyota Motor Corporation" is no "TMC" when that TMC is the
    Tactical Missiles Corporation. Both expansions are known and disagree, so the link is void."""
    acronyms = {
        link.candidate for link in name.links if link.how == "acronym" and " " not in link.candidate
    }
    if not acronyms:
        return False
    agrees = False
    spelled = False
    for value, _ in entity.names:
        for form in name_forms(value, entity.schema):
            if len(form.tokens) < 2 or not acronyms.intersection(form.acronyms):
                continue
            spelled = True
            expanded = _best_name(query_forms, form, person=person, weight=weight, config=config)
            agrees = agrees or expanded.score >= ACRONYM_EXPANSION_AGREES
    return spelled and not agrees


def score_candidate(
    query: Query,
    forms: list[NameForm],
    entity: IndexedEntity,
    form: NameForm,
    kind: str,
    *,
    weight: Any,
    config: MatchConfig,
    memo: dict[tuple[str, str, int], tuple[float, str]] | None = None,
    query_weights: list[list[float]] | None = None,
    candidate_weights: Sequence[float] | None = None,
) -> tuple[float, NameScore, list[dict[str, Any]]] | None:
    """(score, name alignment, explanation features) of one listed name for a query, by the
    configured algorithm; None when an acronym link is void."""
    person = query.schema == "Person" or entity.schema == "Person"
    name = _best_name(
        forms,
        form,
        person=person,
        weight=weight,
        config=config,
        memo=memo,
        query_weights=query_weights,
        candidate_weights=candidate_weights,
    )
    if _acronym_disowned(forms, name, entity, person, weight, config):
        return None
    if config.algorithm == "rules":
        score, features = weigh_evidence(query, entity, name, kind, config)
        return score, name, features
    evidence = evidence_of(query, entity, kind)
    score, features = default_model().score(name, weight, person, evidence)
    return score, name, features


def check_input(name: str, schema: str | None) -> None:
    """Refuse what no listed party can be: an over-long name, an unknown schema."""
    if len(name) > MAX_QUERY_CHARS:
        raise SanctraceError(
            f"name is {len(name):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )
    if schema is not None and schema not in QUERY_SCHEMATA:
        raise SanctraceError(
            f"unknown schema {schema!r}; use one of {', '.join(sorted(QUERY_SCHEMATA))}"
        )


class Screener:
    """Screens names against an index of listed entities."""

    def __init__(self, index: Index, config: MatchConfig = DEFAULT_CONFIG) -> None:
        self.index = index
        self.config = config
        #: Token similarities, kept across queries: names share their words (first names,
        #: "trading", "bank"), and a pair is compared the same way every time.
        self._token_memo: dict[tuple[str, str, int], tuple[float, str]] = {}
        #: Recent answers: a customer file names the same party many times.
        self._answers: OrderedDict[tuple[Any, ...], tuple[Match, ...]] = OrderedDict()
        self._fresh = 0

    @classmethod
    def from_entities(
        cls, entities: Iterable[Entity], config: MatchConfig = DEFAULT_CONFIG
    ) -> Screener:
        return cls(Index.build(entities), config)

    @classmethod
    def open(cls, store: Store, config: MatchConfig = DEFAULT_CONFIG) -> Screener:
        """The screener for the store's active versions: the persisted index if it is current,
        else one built now and saved."""
        return cls(load_or_build_index(store), config)

    @property
    def versions(self) -> tuple[tuple[str, str], ...]:
        return self.index.versions

    def _check(self, query: Query) -> list[NameForm]:
        check_input(query.name or "", query.schema)
        return distinct_forms(name_forms(query.name or "", query.schema))

    def candidates(self, query: Query, limit: int | None = None) -> list[str]:
        """Entity ids the index proposes for scoring, best first."""
        forms = self._check(query)
        seen: dict[str, None] = {}
        for n in self.index.candidates(forms, self.config):
            seen.setdefault(self.index.entities[self.index.names[n].entity].id, None)
        for e in self.index.by_identifier(query.identifiers):
            seen.setdefault(self.index.entities[e].id, None)
        ids = list(seen)
        return ids[:limit] if limit else ids

    def screen(
        self,
        query: Query,
        threshold: float | None = None,
        limit: int = 10,
        datasets: Iterable[str] | None = None,
    ) -> list[Match]:
        """Listed entities matching ``query``, best first, those scoring >= threshold. Recent
        answers are remembered and handed out again: treat the matches as read-only."""
        if limit < 1:
            raise SanctraceError(f"limit must be at least 1, not {limit}")
        cutoff = self.config.threshold if threshold is None else threshold
        key = (query, cutoff, limit, tuple(sorted(datasets)) if datasets else None)
        try:
            answer = self._answers.get(key)
        except TypeError:  # a query built with lists instead of tuples: not remembered
            return self._screen(query, cutoff, limit, datasets)
        if answer is None:
            answer = tuple(self._screen(query, cutoff, limit, datasets))
            self._answers[key] = answer
            if len(self._answers) > _ANSWER_MEMO_LIMIT:
                self._answers.popitem(last=False)
            self._fresh += 1
            if self._fresh >= _FREEZE_EVERY:
                # The memos are long-lived and acyclic (refcounting frees what they drop): out
                # of the collector's full passes, which would otherwise rescan them all and
                # stall a query for 100 ms and more.
                self._fresh = 0
                gc.freeze()
        else:
            self._answers.move_to_end(key)
        return list(answer)

    def _screen(
        self, query: Query, cutoff: float, limit: int, datasets: Iterable[str] | None
    ) -> list[Match]:
        only = frozenset(datasets) if datasets else None
        forms = self._check(query)
        if not forms and not query.identifiers:
            return []
        index = self.index
        if query.schema is None and any(form.legal_forms for form in forms):
            query = replace(query, schema="Company")  # a legal form says it is no person
        best: dict[int, tuple[float, NameScore, str, list[dict[str, Any]]]] = {}
        config = self.config
        if cutoff <= 0:  # exploring: show the best candidates even on common words alone
            config = replace(config, open_postings=10**9, candidate_relative_floor=0.0)
        hopeless = config.reach(cutoff) - config.coverage_margin
        memo = self._token_memo
        if len(memo) > _TOKEN_MEMO_LIMIT:
            memo.clear()
        query_weights = [[index.weight(t) for t in form.tokens] for form in forms]
        long_shots = config.long_shot_candidates
        for n, coverage in index.ranked_candidates(forms, config, only):
            if coverage < hopeless:
                # The index sees no joined words or variant spellings: the best few of those
                # it rates just short of hopeless are scored all the same.
                if long_shots <= 0 or coverage < hopeless - config.long_shot_margin:
                    break
                long_shots -= 1
            entry = index.names[n]
            entity = index.entities[entry.entity]
            if only is not None and entity.dataset not in only:
                continue
            if not schemata_compatible(query.schema, entity.schema):
                continue
            scored = score_candidate(
                query,
                forms,
                entity,
                entry.form,
                entry.kind,
                weight=index.weight,
                config=self.config,
                memo=memo,
                query_weights=query_weights,
                candidate_weights=index.entry_weights(n),
            )
            if scored is None:
                continue
            score, name, features = scored
            current = best.get(entry.entity)
            if current is None or score > current[0]:
                best[entry.entity] = (score, name, entry.kind, features)
        for e in index.by_identifier(query.identifiers):
            entity = index.entities[e]
            if e in best or not schemata_compatible(query.schema, entity.schema):
                continue
            if only is not None and entity.dataset not in only:
                continue
            value, kind = entity.names[0] if entity.names else (entity.caption, "primary")
            name = NameScore(0.0, query.name, value)
            score, features = weigh_evidence(query, entity, name, kind, self.config)
            best[e] = (score, name, kind, features)
        results = [
            _result(index.entities[e], score, name, kind, features, cutoff)
            for e, (score, name, kind, features) in best.items()
            if score >= cutoff and score > 0
        ]
        results.sort(key=lambda m: (-m.score, m.id))
        return results[:limit]


def _result(
    entity: IndexedEntity,
    score: float,
    name: NameScore,
    kind: str,
    features: list[dict[str, Any]],
    threshold: float,
) -> Match:
    explanation = {**name.to_dict(), "name_kind": kind, "features": features}
    return Match(
        id=entity.id,
        dataset=entity.dataset,
        source_id=entity.source_id,
        schema=entity.schema,
        caption=entity.caption,
        score=score,
        match=score >= threshold,
        matched_name=name.candidate_name,
        explanation=explanation,
        programs=entity.programs,
    )


def compare(
    name_a: str, name_b: str, schema: str | None = "Company", config: MatchConfig = DEFAULT_CONFIG
) -> Score:
    """Score two names against each other, without any list (token rarity unknown), by the
    configured algorithm."""
    check_input(name_a or "", schema)
    check_input(name_b or "", schema)
    forms_a = distinct_forms(name_forms(name_a or "", schema))
    forms_b = name_forms(name_b or "", schema)
    if not forms_a or not forms_b:
        return Score(0.0, {"reason": "a name has no letters or digits to compare"})
    query = Query(name_a, schema)
    other = IndexedEntity(
        "b", "", "", schema or "LegalEntity", name_b, (), frozenset(), (), frozenset(),
        ((name_b, "primary"),),
    )  # fmt: skip
    best: tuple[float, NameScore, list[dict[str, Any]]] | None = None
    for b in forms_b:
        found = score_candidate(
            query, forms_a, other, b, "primary", weight=token_weight, config=config
        )
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        return Score(0.0, {"reason": "an acronym link is void: both names are spelled out"})
    score, name, features = best
    explanation = {**name.to_dict(), "features": features}
    return Score(round(score, 4), explanation)


# -- persistence ---------------------------------------------------------------------------


def index_key(versions: list[VersionInfo]) -> str:
    """Identifies the set of active versions an index was built from, and the code that built
    it (a new release may normalize names differently)."""
    parts = sorted(f"{v.dataset}:{v.version}:{v.sha256}" for v in versions)
    parts.append(f"sanctrace {__version__} index {INDEX_FORMAT}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def index_path(store: Store, versions: list[VersionInfo]) -> Path:
    return store.index_dir / f"index-{index_key(versions)}.pickle"


def build_index(store: Store) -> Index:
    """Build the index of every active version and persist it beside the store."""
    versions = store.active_versions()
    entities: list[Entity] = []
    for v in versions:
        entities.extend(store.iter_entities(v.dataset, v.version))
    index = Index.build(entities, tuple((v.dataset, v.version) for v in versions))
    path = index_path(store, versions)
    index.save(path)
    for old in path.parent.glob("index-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    return index


def load_or_build_index(store: Store) -> Index:
    path = index_path(store, store.active_versions())
    if path.exists():
        try:
            return Index.load(path)
        except SanctraceError:
            path.unlink(missing_ok=True)
    return build_index(store)
