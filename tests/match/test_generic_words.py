"""Generic words translated in the normalizer: an English name finds the party listed under its
romanised Russian, Ukrainian or Persian name and the other way round (issue 15: "Izhevsk
Mechanical Plant" missed "IZHEVSKY MEKHANICHESKY ZAVOD").

Every pair is one listed party's own two names on one real list (OFAC non-SDN, Australia
DFAT). Each direction is screened against the bundled lists with the party's names of the
other language removed, so the query can only find the party through the translation."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sanctrace.match import Query, Screener
from sanctrace.model.entity import Entity
from sanctrace.sources import parse_files
from sanctrace.store import open_store

#: (entity, romanised name, English name), both as the list writes them.
PAIRS = [
    (
        "us_ofac_cons:18812",
        "NOVOVYATSKI MEKHANICHESKI ZAVOD OAO",
        "OPEN JOINT STOCK COMPANY NOVOVYATSK MECHANICAL PLANT",
    ),
    (
        "us_ofac_cons:18814",
        "OPEN JOINT-STOCK COMPANY KALINOVSKIY KHIMICHESKIY ZAVOD",
        "KALINOVO CHEMICAL PLANT OPEN JOINT STOCK COMPANY",
    ),
    (
        "us_ofac_cons:18792",
        "90 EKSPERIMENTALNY ZAVOD OAO",
        "90 EXPERIMENTAL PLANT OPEN JOINT STOCK COMPANY",
    ),
    (
        "us_ofac_cons:18817",
        "MASHINOSTROITELNIY ZAVOD MAYAK",
        "MAYAK MACHINE BUILDING PLANT OPEN JOINT STOCK COMPANY",
    ),
    (
        "us_ofac_cons:18793",
        "AKTSIONERNOE OBSHCHESTVO TSENTRALNOE KONSTRUKTORSKOE BYURO SPETSIALNYKH RADIOMATERIALOV",
        "CENTRAL DESIGN BUREAU OF SPECIAL RADIO MATERIALS OPEN JOINT STOCK COMPANY",
    ),
    (
        "us_ofac_cons:18808",
        "FEDERALNOE GOSUDARSTVENNOE UNITARNOE PREDPRIYATIE NAUCHNO PROIZVODSTVENNOE OBEDINENIE"
        " OPTIKA",
        "FEDERAL STATE UNITARY ENTERPRISE SCIENTIFIC AND PRODUCTION ASSOCIATION OPTIKA",
    ),
    (
        "au_dfat_sanctions:7587",
        "Mytishchinski Mashinostroitelny Zavod",
        "OAO Radioavionika JSC Mytishchinski Machine-Building Plant",
    ),
    (
        "au_dfat_sanctions:7598",
        "AO Vserossiyskiy Nauchno-Issledovatelskiy Institut Signal",
        "Joint Stock Company All-Russian Research Institute Signal",
    ),
    (
        "au_dfat_sanctions:7451",
        "Research and Production Corporation Konstruktorskoye Byuro Mashynostroyeniya Joint Stock"
        " Company",
        "Design Bureau of Machine Building Scientific and Production Corporation",
    ),
    ("au_dfat_sanctions:2057", "Sanaye Electronic Iran", "Iran Electronic Industries"),
    ("au_dfat_sanctions:2056", "Sanaye Mokhaberat Iran", "Iran Communications Industries"),
    ("au_dfat_sanctions:2062", "Sazmane Sanaye Havai", "Iranian Aviation Industries Organization"),
    ("au_dfat_sanctions:7713", "Mojtame' yeh San'ati yeh Amin", "AMIN INDUSTRIAL COMPLEX"),
]
DATASETS = ("us_ofac_cons", "au_dfat_sanctions", "us_ofac_sdn")


def _keeping(entities: list[Entity], side: int) -> list[Entity]:
    """The entities, each pair's party keeping only its name of one side (1: romanised, 2:
    English); the name must be one the list gives it."""
    keep = {pair[0]: pair[side] for pair in PAIRS}
    out = []
    for entity in entities:
        if entity.id in keep:
            entity = copy.deepcopy(entity)
            names = [n for n in entity.names if n.value == keep[entity.id]]
            assert names, (entity.id, keep[entity.id])
            entity.names = names
        out.append(entity)
    return out


@pytest.fixture(scope="module")
def listed(bundled_home: Path) -> list[Entity]:
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        versions = [v for v in store.active_versions() if v.dataset in DATASETS]
        return [e for v in versions for e in store.iter_entities(v.dataset, v.version)]


@pytest.fixture(scope="module")
def romanised_only(listed: list[Entity]) -> Screener:
    return Screener.from_entities(_keeping(listed, 1))


@pytest.fixture(scope="module")
def english_only(listed: list[Entity]) -> Screener:
    return Screener.from_entities(_keeping(listed, 2))


def _found(screener: Screener, name: str, entity: str, threshold: float) -> list[str]:
    """What screening the party's own list for ``name`` finds (other lists carry some of these
    parties under the English name: the SDN list's ALL-RUSSIAN RESEARCH INSTITUTE SIGNAL)."""
    dataset = entity.split(":")[0]
    found = screener.screen(Query(name), threshold=threshold, limit=5, datasets=[dataset])
    return [m.id for m in found]


@pytest.mark.parametrize(("entity", "romanised", "english"), PAIRS)
def test_english_name_finds_the_romanised_one(
    romanised_only: Screener, entity: str, romanised: str, english: str
) -> None:
    assert _found(romanised_only, english, entity, 0.0)[:1] == [entity]


@pytest.mark.parametrize(("entity", "romanised", "english"), PAIRS)
def test_romanised_name_finds_the_english_one(
    english_only: Screener, entity: str, romanised: str, english: str
) -> None:
    assert _found(english_only, romanised, entity, 0.0)[:1] == [entity]


@pytest.mark.parametrize(
    ("query", "entity"),
    [
        ("Izhevsk Mechanical Plant", "us_ofac_sdn:18317"),  # IZHEVSKY MEKHANICHESKY ZAVOD JSC
        ("Novovyatsk Mechanical Plant", "us_ofac_cons:18812"),
        ("Mayak Machine-Building Plant", "us_ofac_cons:18817"),
        ("90 Experimental Plant", "us_ofac_cons:18792"),
    ],
)
def test_strong_translations_alert(romanised_only: Screener, query: str, entity: str) -> None:
    """Where every word has its translation, the romanised name is a match at the default
    threshold."""
    assert entity in _found(romanised_only, query, entity, romanised_only.config.threshold)


@pytest.fixture(scope="module")
def sdn_2022(data_dir: Path) -> list[Entity]:
    folder = data_dir / "ofac_sdn" / "2022-01-31"
    return parse_files([folder / "sdn.csv", folder / "alt.csv"]).entities


#: One party's pinyin a.k.a. and English primary name in the OFAC SDN set of 2022-01-31.
CPMIEC = (
    "us_ofac_sdn:9753",
    "ZHONGGUO JINGMI JIXIE JINCHUKOU ZONGGONGSI",
    "CHINA NATIONAL PRECISION MACHINERY IMPORT/EXPORT CORPORATION",
)


@pytest.mark.parametrize(("kept", "query"), [(1, 2), (2, 1)])
def test_pinyin_and_english(sdn_2022: list[Entity], kept: int, query: int) -> None:
    """Zhongguo = China, jingmi = precision, jixie = machinery, jinchukou = import(-export),
    zonggongsi = corporation: each name finds the other with the party's other names removed."""
    entities = []
    for entity in sdn_2022:
        if entity.id == CPMIEC[0]:
            entity = copy.deepcopy(entity)
            entity.names = [n for n in entity.names if n.value == CPMIEC[kept]]
            assert entity.names
        entities.append(entity)
    found = Screener.from_entities(entities).screen(Query(CPMIEC[query]), threshold=0.0, limit=3)
    assert found and found[0].id == CPMIEC[0]
