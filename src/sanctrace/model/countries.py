"""Country names as lists write them -> ISO 3166-1 alpha-2 codes.

pycountry gives the ISO names; the alias table adds the forms sanctions lists really use
("Korea, North", "Burma", "Russia"). Unknown names return None rather than a guess.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

_ALIASES: dict[str, str] = {
    "russia": "RU",
    "russian federation": "RU",
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "dprk": "KP",
    "korea, democratic people's republic of": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "burma": "MM",
    "myanmar (burma)": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "ivory coast": "CI",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD",
    "congo (kinshasa)": "CD",
    "drc": "CD",
    "congo, republic of the": "CG",
    "republic of the congo": "CG",
    "congo (brazzaville)": "CG",
    "congo": "CG",
    "iran": "IR",
    "iran (islamic republic of)": "IR",
    "syria": "SY",
    "syrian arab republic": "SY",
    "venezuela": "VE",
    "venezuela (bolivarian republic of)": "VE",
    "bolivia": "BO",
    "laos": "LA",
    "lao people's democratic republic": "LA",
    "vietnam": "VN",
    "viet nam": "VN",
    "moldova": "MD",
    "republic of moldova": "MD",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uae": "AE",
    "u.a.e.": "AE",
    "czech republic": "CZ",
    "czechia": "CZ",
    "kosovo": "XK",
    "palestinian": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "palestinian territories": "PS",
    "occupied palestinian territory": "PS",
    "crimea": "UA",
    "region: crimea": "UA",
    "taiwan": "TW",
    "taiwan, province of china": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "micronesia": "FM",
    "micronesia, federated states of": "FM",
    "vatican": "VA",
    "holy see": "VA",
    "bahamas, the": "BS",
    "the bahamas": "BS",
    "gambia, the": "GM",
    "the gambia": "GM",
    "netherlands antilles": "AN",
    "curacao": "CW",
    "sint maarten": "SX",
    "st. kitts and nevis": "KN",
    "saint kitts and nevis": "KN",
    "st. kitts & nevis": "KN",
    "st kitts and nevis": "KN",
    "man, isle of": "IM",
    "st. lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "saint vincent and the grenadines": "VC",
    "east timor": "TL",
    "timor-leste": "TL",
    "bosnia-herzegovina": "BA",
    "bosnia and herzegovina": "BA",
    "serbia and montenegro": "CS",
    "yugoslavia": "YU",
    "soviet union": "SU",
    "ussr": "SU",
    "belarus": "BY",
    "kyrgyzstan": "KG",
    "kyrgyz republic": "KG",
    "slovak republic": "SK",
    "libya": "LY",
    "libyan arab jamahiriya": "LY",
    "sudan": "SD",
    "south sudan": "SS",
    "western sahara": "EH",
    "british virgin islands": "VG",
    "virgin islands, british": "VG",
    "netherlands": "NL",
    "the netherlands": "NL",
    "falkland islands": "FK",
    "reunion": "RE",
    "st. martin": "MF",
    "region: kurdistan": "IQ",
    "region: gaza": "PS",
    "region: west bank": "PS",
    "former soviet union": "SU",
}

_ADJECTIVES = {
    "russian": "RU",
    "iranian": "IR",
    "syrian": "SY",
    "north korean": "KP",
    "korean": "KR",
    "chinese": "CN",
    "belarusian": "BY",
    "ukrainian": "UA",
    "afghan": "AF",
    "iraqi": "IQ",
    "lebanese": "LB",
    "pakistani": "PK",
    "saudi": "SA",
    "saudi arabian": "SA",
    "yemeni": "YE",
    "somali": "SO",
    "libyan": "LY",
    "sudanese": "SD",
    "venezuelan": "VE",
    "cuban": "CU",
    "colombian": "CO",
    "mexican": "MX",
    "british": "GB",
    "american": "US",
    "turkish": "TR",
    "egyptian": "EG",
    "jordanian": "JO",
    "kuwaiti": "KW",
    "qatari": "QA",
    "emirati": "AE",
    "indian": "IN",
    "german": "DE",
    "french": "FR",
    "italian": "IT",
    "spanish": "ES",
    "israeli": "IL",
    "palestinian": "PS",
    "kazakh": "KZ",
    "uzbek": "UZ",
    "tajik": "TJ",
    "georgian": "GE",
    "armenian": "AM",
    "azerbaijani": "AZ",
    "nigerian": "NG",
    "malian": "ML",
    "tunisian": "TN",
    "algerian": "DZ",
    "moroccan": "MA",
    "indonesian": "ID",
    "filipino": "PH",
    "malaysian": "MY",
    "bahraini": "BH",
    "omani": "OM",
    "eritrean": "ER",
    "ethiopian": "ET",
    "kenyan": "KE",
    "congolese": "CD",
    "burmese": "MM",
    "nicaraguan": "NI",
    "serbian": "RS",
    "bosnian": "BA",
    "cypriot": "CY",
    "greek": "GR",
    "bulgarian": "BG",
    "latvian": "LV",
    "estonian": "EE",
    "lithuanian": "LT",
    "moldovan": "MD",
}


@cache
def iso_records(part: str) -> tuple[dict[str, str], ...]:
    """The records of ISO 3166 part "1" (countries), "2" (regions) or "3" (former countries),
    read from pycountry's own data files without importing it: importing pycountry and building
    its objects took 40 ms of every command."""
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pycountry is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "databases"
    with (folder / f"iso3166-{part}.json").open(encoding="utf-8") as fh:
        return tuple(json.load(fh)[f"3166-{part}"])


def _key(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.strip().strip(".").lower())


@lru_cache(maxsize=1)
def _table() -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for country in iso_records("1"):
        for attr in ("name", "official_name", "common_name"):
            value = country.get(attr)
            if value:
                table[_key(value)] = country["alpha_2"]
        table[country["alpha_2"].lower()] = country["alpha_2"]
        table[country["alpha_3"].lower()] = country["alpha_2"]
    for country in iso_records("3"):
        table.setdefault(_key(country["name"]), country.get("alpha_2"))
    for alias, code in _ALIASES.items():
        table[_key(alias)] = code
    return table


@lru_cache(maxsize=4096)
def to_code(name: str | None) -> str | None:
    """ISO alpha-2 code for a country name, alpha-2/alpha-3 code or nationality adjective."""
    if not name:
        return None
    key = _key(name)
    if not key:
        return None
    table = _table()
    if key in table:
        return table[key]
    if key in _ADJECTIVES:
        return _ADJECTIVES[key]
    # "Belarus / Bélarus" (Canada's bilingual form), "Moscow, Russia" (trailing country)
    for sep in (" / ", "/", ", ", " - "):
        if sep in key:
            for part in reversed(key.split(sep)):
                code = table.get(part.strip()) or _ADJECTIVES.get(part.strip())
                if code:
                    return code
    return None


def country_names() -> list[str]:
    """Every name, alias and nationality adjective :func:`to_code` knows, as written."""
    names = [*_ALIASES, *_ADJECTIVES]
    for country in iso_records("1"):
        for attr in ("name", "official_name", "common_name"):
            value = country.get(attr)
            if value:
                names.append(value)
    return names


def subdivision_names() -> tuple[str, ...]:
    """The names of every ISO 3166-2 region."""
    return tuple(entry["name"] for entry in iso_records("2"))


def to_codes(names: list[str] | tuple[str, ...]) -> list[str]:
    """Codes for several names, deduplicated in order, unknown names dropped."""
    out: list[str] = []
    for name in names:
        code = to_code(name)
        if code and code not in out:
            out.append(code)
    return out
