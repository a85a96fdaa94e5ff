"""The candidate index: normalized tokens, phonetic keys, acronyms, token trigrams, identifiers.

Built once from the active list versions and persisted, so that a query scores only a few
hundred name entries instead of every listed name. Every alias is its own entry, so entities
with many aliases are found by any of them and never diluted by the others.
"""

from __future__ import annotations

import gc
import heapq
import math
import pickle
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice, pairwise
from operator import itemgetter, le
from pathlib import Path
from typing import NamedTuple

from sanctrace.errors import SanctraceError
from sanctrace.match.config import DEFAULT_CONFIG, MatchConfig
from sanctrace.match.evidence import normalize_identifier
from sanctrace.match.packed import IndexUnpickler, PackedList, PackedPostings
from sanctrace.match.types import IndexedEntity
from sanctrace.model.entity import Entity
from sanctrace.normalize import NameForm, name_forms, token_weight
from sanctrace.normalize.phonetic import variant_keys

#: Bump when the pickled layout or the normalization changes, so stale files are rebuilt.
INDEX_FORMAT = 12


#: Lengths of a query word the scorer can take for an acronym (``score._acronym_links``): a
#: two-letter word ("AK ALROSA") opening every name whose initials are AK crowded the name out.
_ACRONYM_MIN, _ACRONYM_MAX = 3, 8

#: (best weight per name entry from short postings, long postings with their weight, length
#: of the token's shortest posting list).
_TokenHits = tuple[dict[int, float], list[tuple["array[int]", float]], int]


class NameEntry(NamedTuple):
    """One name of one entity: a named tuple, so a persisted index loads fast."""

    entity: int  # position in Index.entities
    kind: str
    form: NameForm


def distinct_forms(
    forms: Iterable[NameForm], seen: set[tuple[str, ...]] | None = None
) -> list[NameForm]:
    """Forms whose words differ, in order given: alignment ignores word order, so the natural
    order form of "SMITH, John" adds nothing but work (the first, as the list writes it, stays,
    which for Chinese and Korean names is surname first)."""
    seen = set() if seen is None else seen
    out = []
    for form in forms:
        key = tuple(sorted(form.tokens))
        if form.tokens and key not in seen:
            seen.add(key)
            out.append(form)
    return out


def _joined_pairs(tokens: tuple[str, ...]) -> set[str]:
    """Adjacent word pairs run together, where the result is long enough to be a name."""
    return {
        a + b for a, b in pairwise(tokens) if len(a) + len(b) >= 5 and a.isalpha() and b.isalpha()
    }


def _pairs_apart(tokens: tuple[str, ...]) -> Iterator[tuple[str, str, str]]:
    """(first, second, both run together) for adjacent query words, as ``_joined_pairs``: a
    query writes apart what a list writes as one word (Machine Building / machinebuilding,
    the translation of mashinostroitelnyy)."""
    for a, b in pairwise(tokens):
        if len(a) + len(b) >= 5 and a.isalpha() and b.isalpha():
            yield a, b, a + b


def _trigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Index:
    """Postings from normalized keys to name entries, plus what scoring needs of each entity."""

    def __init__(
        self,
        entities: list[IndexedEntity],
        names: list[NameEntry],
        versions: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.entities: Sequence[IndexedEntity] = entities
        self.names: Sequence[NameEntry] = names
        #: (dataset, version) pairs the index was built from, to report with every result.
        self.versions = versions
        tokens: dict[str, array[int]] = defaultdict(lambda: array("I"))
        phonetic: dict[str, array[int]] = defaultdict(lambda: array("I"))
        acronyms: dict[str, array[int]] = defaultdict(lambda: array("I"))
        joined: dict[str, array[int]] = defaultdict(lambda: array("I"))
        for n, entry in enumerate(names):
            form = entry.form
            for token in set(form.tokens):
                tokens[token].append(n)
            for key in set(form.phonetic):
                phonetic[key].append(n)
            for acronym in _acronyms(form):
                acronyms[acronym].append(n)
            for pair in _joined_pairs(form.tokens):
                joined[pair].append(n)
        self.tokens: Mapping[str, array[int]] = dict(tokens)
        #: Adjacent words run together (AL AMIR -> alamir, HAVA PEYMA -> havapeyma): how a
        #: query writes what the list writes apart.
        self.joined: Mapping[str, array[int]] = {
            pair: postings for pair, postings in joined.items() if pair not in tokens
        }
        self.phonetic: Mapping[str, array[int]] = dict(phonetic)
        self.acronyms: Mapping[str, array[int]] = dict(acronyms)
        grams: dict[str, list[str]] = defaultdict(list)
        for token in self.tokens:
            if len(token) >= 3:
                for gram in _trigrams(token):
                    grams[gram].append(token)
        self.trigrams = dict(grams)
        ids: dict[str, list[int]] = defaultdict(list)
        for e, entity in enumerate(entities):
            for ident in entity.identifiers:
                ids[ident].append(e)
        self.identifiers = dict(ids)
        #: What callers look up of every entry without reading it: each entity's id and list,
        #: each name entry's entity.
        self.entity_ids = [e.id for e in entities]
        self.entity_datasets = [e.dataset for e in entities]
        self.name_owner = array("I", (entry.entity for entry in names))
        self._finish()

    def _finish(self) -> None:
        self._log_n = math.log(len(self.names) + 2)
        self._weights: dict[str, float] = {}
        self._sets: dict[int, frozenset[int]] = {}
        self._entry_weights: dict[int, tuple[float, ...]] = {}
        self._name_datasets: list[str] | None = None
        self._positions: dict[str, int] | None = None
        self._entries_of: dict[int, list[int]] | None = None
        self._owners_sorted: bool | None = None
        #: Query tokens recur across queries (first names, "group", "trading"): their postings
        #: are looked up once per configuration.
        self._source_cache: dict[tuple[str, str, int, int], _TokenHits] = {}

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[Entity], versions: tuple[tuple[str, str], ...] = ()) -> Index:
        indexed: list[IndexedEntity] = []
        names: list[NameEntry] = []
        for entity in entities:
            record = IndexedEntity.from_entity(entity)
            position = len(indexed)
            indexed.append(record)
            seen: set[tuple[str, ...]] = set()
            for value, kind in record.names:
                for form in distinct_forms(name_forms(value, record.schema), seen):
                    names.append(NameEntry(position, kind, form))
        index = cls(indexed, names, versions)
        gc.freeze()  # see load()
        return index

    def save(self, path: Path) -> None:
        """Write atomically: a reader never sees half an index."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        parts = (
            PackedList.pack(self.entities),
            PackedList.pack(self.names),
            self.versions,
            PackedPostings.pack(self.tokens),
            PackedPostings.pack(self.phonetic),
            PackedPostings.pack(self.acronyms),
            PackedPostings.pack(self.trigrams),
            PackedPostings.pack(self.identifiers),
            PackedPostings.pack(self.joined),
            self.entity_ids,
            self.entity_datasets,
            self.name_owner,
        )
        with tmp.open("wb") as fh:
            pickle.dump((INDEX_FORMAT, parts), fh, protocol=5)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Index:
        collecting = gc.isenabled()
        gc.disable()  # a million small objects: the collector would only slow the load down
        try:
            with path.open("rb") as fh:
                fmt, parts = IndexUnpickler(fh).load()
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
        ) as exc:
            raise SanctraceError(f"cannot read index {path}: {exc}") from None
        finally:
            # The index is a million long-lived objects: keep the collector from rescanning
            # them on every full collection (a 100 ms pause in the middle of a query).
            gc.freeze()
            if collecting:
                gc.enable()
        if fmt != INDEX_FORMAT:
            raise SanctraceError(f"index {path} has an old format; it will be rebuilt")
        index = cls.__new__(cls)
        (
            index.entities,
            index.names,
            index.versions,
            index.tokens,
            index.phonetic,
            index.acronyms,
            index.trigrams,
            index.identifiers,
            index.joined,
            index.entity_ids,
            index.entity_datasets,
            index.name_owner,
        ) = parts
        index._finish()
        return index

    # -- weights -----------------------------------------------------------------------------

    def idf(self, token: str) -> float:
        """Rarity of a token among listed names, in (0, 1]: common words say little."""
        postings = self.tokens.get(token)
        df = len(postings) if postings is not None else 0
        return max(0.05, math.log((len(self.names) + 2) / (df + 1)) / self._log_n)

    def weight(self, token: str) -> float:
        """Rarity times the word's own weight (generic words and particles count less)."""
        cached = self._weights.get(token)
        if cached is None:
            cached = self.idf(token) * token_weight(token)
            if len(self._weights) < 500_000:
                self._weights[token] = cached
        return cached

    # -- candidates --------------------------------------------------------------------------

    def similar_tokens(self, token: str, config: MatchConfig = DEFAULT_CONFIG) -> list[str]:
        """Vocabulary tokens sharing most trigrams with ``token`` (typos, one-letter changes)."""
        if len(token) < 4:
            return []
        grams = _trigrams(token)
        buckets = (self.trigrams.get(gram) or () for gram in grams)
        cap = config.trigram_bucket_limit
        counts = Counter(chain.from_iterable(b for b in buckets if len(b) <= cap))
        need = max(2, int(len(grams) * 0.5))
        size = len(token)
        # Ties in spelling order, not in the hash order of the trigram set: the same query
        # must find the same candidates in every process.
        near = [t for t, c in counts.items() if c >= need and abs(len(t) - size) <= 2]
        ranked = sorted(near, key=lambda t: (-counts[t], t))
        return ranked[: config.fuzzy_token_limit]

    def candidates(self, forms: list[NameForm], config: MatchConfig = DEFAULT_CONFIG) -> list[int]:
        """Name entries worth scoring, best first by the summed rarity of the keys they share."""
        return [n for n, _ in self.ranked_candidates(forms, config)]

    def ranked_candidates(
        self,
        forms: list[NameForm],
        config: MatchConfig = DEFAULT_CONFIG,
        datasets: frozenset[str] | None = None,
    ) -> list[tuple[int, float]]:
        """(name entry, coverage) pairs, best first; coverage is the share of the query's token
        weight that the entry's keys account for, a cheap estimate of how well it can score.
        With ``datasets``, only entries of those lists compete for the places: screening one
        list must not lose its records to another list's (Sberbank on the SDN list)."""
        limit = max(50, int(len(self.names) * config.max_posting_share))
        if config.max_open_postings is not None:
            limit = min(limit, config.max_open_postings)
        scores: dict[int, float] = defaultdict(float)
        known: dict[str, _TokenHits] = {}
        for form in forms:
            per_form: dict[int, float] = defaultdict(float)
            found = []
            for token, key in zip(form.tokens, form.phonetic, strict=True):
                hits_of = known.get(token)
                if hits_of is None:
                    hits_of = known[token] = self._token_hits(token, key, config)
                found.append(hits_of)
            found.sort(key=itemgetter(2))
            for short, long_sources, _ in found:
                if not long_sources:
                    for n, w in short.items():
                        per_form[n] += w
                    continue
                hits = dict(short)
                for postings, w in long_sources:
                    if not per_form and len(postings) <= limit:
                        for n in postings:
                            if hits.get(n, 0.0) < w:
                                hits[n] = w
                    elif per_form and len(postings) < len(per_form):
                        for n in postings:
                            if n in per_form and hits.get(n, 0.0) < w:
                                hits[n] = w
                    elif per_form:
                        members = self._member_set(postings)
                        for n in per_form:
                            if n in members and hits.get(n, 0.0) < w:
                                hits[n] = w
                for n, w in hits.items():
                    per_form[n] += w
            for acronym in _acronyms(form):
                spelled_out = self.tokens.get(acronym) if len(acronym) >= 3 else None
                if spelled_out is not None and len(spelled_out) <= config.open_postings:
                    for n in spelled_out:
                        per_form[n] += 0.9
            for a, b, both in _pairs_apart(form.tokens):
                as_one = self.tokens.get(both)
                if as_one is not None and len(as_one) <= config.open_postings:
                    w = 0.9 * (self.weight(a) + self.weight(b))
                    for n in as_one:
                        per_form[n] += w
            total = sum(self.weight(t) for t in form.tokens) or 1.0
            if len(forms) == 1:
                scores = {n: w / total for n, w in per_form.items()}
                break
            for n, w in per_form.items():
                coverage = w / total
                if coverage > scores[n]:
                    scores[n] = coverage
        if datasets is not None:
            of = self.name_datasets()
            scores = {n: w for n, w in scores.items() if of[n] in datasets}
        # The dict is filled in query order and near spellings come in spelling order, so
        # ties fall the same way in every process.
        ranked = heapq.nlargest(config.candidate_names, scores.items(), key=itemgetter(1))
        if not ranked:
            return []
        floor = ranked[0][1] * config.candidate_relative_floor
        return [(n, w) for n, w in ranked if w >= floor]

    def name_datasets(self) -> list[str]:
        """The list of each name entry, for screenings restricted to some lists (made once)."""
        if self._name_datasets is None:
            datasets = self.entity_datasets
            self._name_datasets = [datasets[e] for e in self.name_owner]
        return self._name_datasets

    def position(self, entity_id: str) -> int:
        """Where the entity of this id is in ``entities`` (KeyError if it is not indexed)."""
        if self._positions is None:
            self._positions = {eid: i for i, eid in enumerate(self.entity_ids)}
        return self._positions[entity_id]

    def entries_of(self, position: int) -> list[int]:
        """The name entries of the entity at ``position``: a slice found by binary search, as
        the index lists each entity's names together (a map of all 47,000 took 30 ms)."""
        owners = self.name_owner
        if self._owners_sorted is None:
            self._owners_sorted = all(map(le, owners, islice(owners, 1, None)))
        if self._owners_sorted:
            return list(range(bisect_left(owners, position), bisect_right(owners, position)))
        if self._entries_of is None:
            self._entries_of = defaultdict(list)
            for n, e in enumerate(self.name_owner):
                self._entries_of[e].append(n)
        return self._entries_of.get(position, [])

    def _token_hits(self, token: str, key: str, config: MatchConfig) -> _TokenHits:
        """What one query token finds, kept across queries (tokens recur: first names, "group",
        "trading"): the best weight per entry among its short postings, its long postings (only
        confirming entries found through rarer keys), and its shortest posting length (rarest
        tokens open the search)."""
        cache_key = (
            token,
            key,
            config.open_postings,
            config.trigram_bucket_limit * 1000 + config.fuzzy_token_limit,
        )
        found = self._source_cache.get(cache_key)
        if found is not None:
            return found
        short: dict[int, float] = {}
        long_sources: list[tuple[array[int], float]] = []
        sources = self._sources(token, key, config)
        for postings, w in sources:
            if len(postings) <= config.open_postings:
                for n in postings:
                    if short.get(n, 0.0) < w:
                        short[n] = w
            else:
                long_sources.append((postings, w))
        rarest = min((len(p) for p, _ in sources), default=0)
        found = (short, long_sources, rarest)
        if len(self._source_cache) >= 100_000:
            self._source_cache.clear()
        self._source_cache[cache_key] = found
        return found

    def _sources(self, token: str, key: str, config: MatchConfig) -> list[tuple[array[int], float]]:
        """Postings that speak for one query token, each with the weight a hit earns."""
        return [
            (postings, 0.9 if of is None else self._route_weight(table, of, postings) * share)
            for (table, _), postings, of, share in self._routes(token, key, config)
        ]

    def _route_weight(self, table: str, token: str, postings: array[int]) -> float:
        """What a hit through one route says: the word's weight, but no more than the rarity
        of a sound key shared by many words (287 names sound like "ak": agha, aqy, aki; as
        heavy as the rare word "ak", they crowded "AK TRANSNEFT" out of its candidates)."""
        own = self.weight(token)
        if table != "phonetic":
            return own
        rarity = max(0.05, math.log((len(self.names) + 2) / (len(postings) + 1)) / self._log_n)
        return min(own, rarity * token_weight(token))

    def _whole_word(
        self, word: str, routes: Index | None, config: MatchConfig
    ) -> array[int] | None:
        """The postings of ``word`` here, when it is also a short enough route in ``routes``
        (an acronym, or two query words the list writes as one)."""
        postings = self.tokens.get(word)
        if postings is None or routes is None:
            return postings
        listed = routes.tokens.get(word)
        return postings if listed is not None and len(listed) <= config.open_postings else None

    def _routes(
        self, token: str, key: str, config: MatchConfig
    ) -> Iterator[tuple[tuple[str, str], array[int], str | None, float]]:
        """The postings here that candidate generation takes for one query token: ((table,
        key in it), postings, the word whose weight a hit earns, the share of it; no word for
        an acronym, whose hit earns 0.9 outright). The one statement of those routes, for
        ``ranked_candidates`` and for ``reach``, which must open no fewer."""
        exact = self.tokens.get(token)
        if exact is not None:
            yield ("tokens", token), exact, token, 1.0
        sounds = self.phonetic.get(key)
        if sounds is not None:
            yield ("phonetic", key), sounds, token, 0.9
        for variant in variant_keys(token):
            # ch for х, c for ц, j for й: a listed spelling the key keeps apart
            # (Technodinamika / TEKHNODINAMIKA), whether or not the word is listed as spelled.
            alike = self.phonetic.get(variant)
            if alike is not None:
                yield ("phonetic", variant), alike, token, 0.85
        if exact is None:
            apart = self.joined.get(token)
            if apart is not None:
                yield ("joined", token), apart, token, 1.0
            if sounds is None or len(sounds) < 3:
                for other in self.similar_tokens(token, config):
                    yield ("tokens", other), self.tokens[other], other, 0.8
        spelled = self.acronyms.get(token) if _ACRONYM_MIN <= len(token) <= _ACRONYM_MAX else None
        if spelled is not None:
            yield ("acronyms", token), spelled, None, 1.0

    def reach(
        self,
        forms: list[NameForm],
        identifiers: Iterable[str],
        weight: Callable[[str], float],
        *,
        routes: Index | None = None,
        config: MatchConfig = DEFAULT_CONFIG,
        memo: dict[tuple[str, str], tuple[dict[int, float], int, bool, set[int], set[int]]]
        | None = None,
    ) -> float:
        """The highest coverage any name entry here can reach for a query, weighing tokens with
        another index's ``weight``: every route candidate generation takes, without its caps,
        so that an entry this rates low cannot be a candidate there (how re-screening skips
        customers that entries added or removed cannot concern).

        ``routes`` is that other index when every entry here is in it too (entries added to a
        list), with its ``config``: an entry then counts only where candidate generation there
        would take it up (through a key of few postings there, or of a few more for the rarest
        word, as ``ranked_candidates`` opens them), and a variant spelling or joined word only
        where it takes one (a word it does not hold, with few sound-alikes: the spellings it
        picks). Without ``routes`` every entry sharing a key or a near spelling counts (entries
        only the previous index held). ``memo`` keeps what each token reaches across queries,
        for one ``weight``, ``routes`` and ``config``."""
        if self.by_identifier(identifiers):
            return 1.0
        opening = 0
        if routes is not None:
            share = int(len(routes.names) * config.max_posting_share)
            opening = max(config.open_postings, 50, share)
        best = 0.0
        for form in forms:
            found = []
            for token, key in zip(form.tokens, form.phonetic, strict=True):
                reached = memo.get((token, key)) if memo is not None else None
                if reached is None:
                    hits: dict[int, float] = {}
                    first: set[int] = set()  # taken up by the word that opens the search
                    later: set[int] = set()  # ... by any other
                    rarest: int | None = None
                    opens = False
                    for postings, w, size in self._reach_sources(
                        token, key, weight, routes, config
                    ):
                        rarest = size if rarest is None else min(rarest, size)
                        opens = opens or size <= opening
                        if postings is None:
                            continue
                        for n in postings:
                            if hits.get(n, 0.0) < w:
                                hits[n] = w
                        if routes is None or size <= config.open_postings:
                            later.update(postings)
                            first.update(postings)
                        elif size <= opening:
                            first.update(postings)
                    reached = (hits, rarest or 0, opens, first, later)
                    if memo is not None:
                        memo[token, key] = reached
                found.append(reached)
            per_form: dict[int, float] = defaultdict(float)
            for hits, *_ in found:
                for n, w in hits.items():
                    per_form[n] += w
            taken: set[int] = set()
            if routes is None:
                taken.update(per_form)
            elif per_form:
                opened = False
                for _, _, opens, first, later in sorted(found, key=itemgetter(1)):
                    taken.update(later if opened else first)
                    opened = opened or opens
            for acronym in _acronyms(form):
                spelled = self._whole_word(acronym, routes, config) if len(acronym) >= 3 else None
                for n in spelled or ():
                    per_form[n] += 0.9
                    taken.add(n)
            for a, b, both in _pairs_apart(form.tokens):
                for n in self._whole_word(both, routes, config) or ():
                    per_form[n] += weight(a) + weight(b)
                    taken.add(n)
            if taken:
                total = sum(weight(t) for t in form.tokens) or 1.0
                best = max(best, max(per_form[n] for n in taken) / total)
        return best

    def _reach_sources(
        self,
        token: str,
        key: str,
        weight: Callable[[str], float],
        routes: Index | None = None,
        config: MatchConfig = DEFAULT_CONFIG,
    ) -> Iterator[tuple[array[int] | None, float, int]]:
        """The postings here that can speak for one query token, with the weight a hit earns
        and the length of the same postings in ``routes`` (0 without): with ``routes``, one
        for each of its routes (see ``_routes``), None where no entry here is on it."""
        w = weight(token)
        if routes is None:
            for postings, share in (
                (self.tokens.get(token), 1.0),
                (self.phonetic.get(key), 0.9),
                (self.joined.get(token), 1.0),
            ):
                if postings is not None:
                    yield postings, w * share, 0
            for variant in variant_keys(token):
                alike = self.phonetic.get(variant)
                if alike is not None:
                    yield alike, w * 0.9, 0
            if len(token) >= 4:
                grams = _trigrams(token)
                counts = Counter(chain.from_iterable(self.trigrams.get(g) or () for g in grams))
                need = max(2, int(len(grams) * 0.5))
                for other, c in counts.items():
                    if c >= need and abs(len(other) - len(token)) <= 2:
                        yield self.tokens[other], weight(other) * 0.8, 0
            spelled = self.acronyms.get(token)
            if spelled is not None:
                yield spelled, 0.9, 0
            return
        for (table, lookup), postings, of, share in routes._routes(token, key, config):
            mine: array[int] | None = getattr(self, table).get(lookup)
            yield mine, 0.9 if of is None else weight(of) * share, len(postings)

    def entry_weights(self, n: int) -> tuple[float, ...]:
        """The token weights of name entry ``n``, computed once."""
        found = self._entry_weights.get(n)
        if found is None:
            found = self._entry_weights[n] = tuple(
                self.weight(t) for t in self.names[n].form.tokens
            )
        return found

    def _member_set(self, postings: array[int]) -> frozenset[int]:
        """A set view of a long posting list, to test a few candidates against it."""
        key = id(postings)
        members = self._sets.get(key)
        if members is None:
            members = self._sets[key] = frozenset(postings)
        return members

    def by_identifier(self, values: Iterable[str]) -> list[int]:
        out: list[int] = []
        for value in values:
            out.extend(self.identifiers.get(normalize_identifier(value), ()))
        return out


def _acronyms(form: NameForm) -> tuple[str, ...]:
    if form.acronyms:
        return form.acronyms
    return (form.acronym,) if form.acronym else ()
