"""The whole-file trade checks at scale (issue 19): value anomaly and first-time lane in DuckDB
(sanctrace.trade.aggregates) side by side with a plain pandas implementation of the same
checks, each in its own process (wall time and peak RSS), on one generated Parquet file, and
checked to flag the same lines::

    .venv/bin/python bench/trade.py --rows 1000000,10000000
    .venv/bin/python bench/trade.py --rows 1000000 --screen   # also the whole trade screen

How the shipments are made (``generate``, seeded, numpy; written once per size and cached):

- HS codes: the 5,600-odd HS-6 subheadings of the HS 2022 nomenclature
  (../shared/data/chpl/hs2022_harmonized-system.csv). Chapters are drawn with weights that
  follow the mix of shipment records in customs data (machinery and electrical goods, 84 and
  85, about a quarter; then plastics, clothing, vehicles, furniture, iron and steel articles,
  optics, toys ...; every other chapter a small share), subheadings within a chapter by a
  Zipf law (s = 1.1) over a seeded order, so that a few codes dominate as they do in real
  files. 2% of the rows carry one of the 50 CHPL codes. 60% of the codes are declared as
  national 8- or 10-digit codes (the HS-6 plus "00", "0000" or "9000").
- Parties: 200,000 distinct company names from realistic parts by country (place, name
  word, trade word, legal form: "Ningbo Huaxin Electronics Co., Ltd", "Kaya Makina Sanayi
  A.S.", "OOO Promtekhsnab"), each with a country (China 30%, then US, DE, TR, IN, AE, HK,
  VN ...). A trading relationship is a shipper and a consignee each drawn by a Zipf law
  (s = 1.05) over the names; 70% of the rows repeat a relationship (one of rows/20, itself
  drawn by a Zipf law, s = 1), 30% are a fresh pair, so lanes recur as in real trade; a
  relationship has a usual HS-6 code, which 80% of its shipments carry.
- Dates uniform over 2022-01-01 to 2024-12-31; quantities log-normal per chapter; unit values
  log-normal around a price per HS-6 code (log-normal around a price per chapter, sigma 0.8;
  within the code sigma 0.45); value = unit value x quantity. 0.05% of the rows are declared
  at 40 times or 1/40 of their price (the anomalies to find).

The DuckDB side runs ``iter_aggregate_flags`` (2 threads) and builds every Flag object; the
pandas side computes the flagged lines with groupby/transform and sort/drop_duplicates
(strings as pandas categoricals, as read from Parquet) and builds none. Both fold the party
names with the same ``party_key``, once per distinct name.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from benchlib import DATA_DIR, machine_line, table

HS_FILE = DATA_DIR / "chpl" / "hs2022_harmonized-system.csv"
CHPL_FILE = DATA_DIR / "chpl" / "chpl_hs6_tiers.csv"
CACHE = Path(tempfile.gettempdir()) / "sanctrace-bench-trade"
ENGINES = ("duckdb", "pandas")
START = np.datetime64("2022-01-01")
DAYS = 3 * 365 + 1

#: Share of shipment records per HS chapter (the rest spread evenly over the other chapters).
CHAPTER_WEIGHTS = {
    "85": 0.14, "84": 0.12, "39": 0.05, "61": 0.04, "62": 0.04, "87": 0.04, "94": 0.035,
    "73": 0.035, "90": 0.03, "95": 0.025, "40": 0.02, "64": 0.02, "42": 0.02, "63": 0.015,
    "83": 0.015, "82": 0.015, "48": 0.015, "76": 0.012, "72": 0.012, "29": 0.012, "30": 0.01,
    "33": 0.01, "38": 0.01, "69": 0.01, "70": 0.01, "96": 0.01, "08": 0.008, "03": 0.008,
    "27": 0.006, "71": 0.006,
}  # fmt: skip
#: Log of a typical unit value (USD) and of a typical quantity, per chapter group.
PRICE = {"84": 5.5, "85": 4.0, "87": 6.0, "88": 8.0, "90": 5.0, "71": 7.0, "93": 6.0}
QTY = {"27": 9.0, "72": 8.0, "10": 9.5, "84": 3.0, "85": 5.0, "87": 2.0, "88": 1.0}

COUNTRIES = {
    "CN": 0.30, "US": 0.08, "DE": 0.06, "TR": 0.05, "IN": 0.05, "AE": 0.04, "HK": 0.04,
    "VN": 0.04, "KR": 0.03, "JP": 0.03, "IT": 0.03, "GB": 0.03, "NL": 0.02, "FR": 0.02,
    "KZ": 0.02, "RU": 0.02, "PL": 0.02, "MY": 0.02, "TH": 0.02, "ES": 0.02, "BR": 0.02,
    "MX": 0.02, "AM": 0.01, "GE": 0.01, "KG": 0.01,
}  # fmt: skip
PLACES = {
    "CN": "Shenzhen Ningbo Guangzhou Yiwu Dongguan Xiamen Suzhou Hangzhou Qingdao Tianjin "
    "Shanghai Foshan Wuhan Chengdu Xi'an Zhuhai Jinhua Wenzhou",
    "HK": "Hong Kong Kowloon Pacific Asia Golden Dragon Victoria",
    "DE": "Berliner Hamburger Rhein Bayern Nord Sued Schwaben Muenchner Elbe",
    "TR": "Anadolu Istanbul Ege Marmara Bursa Izmir Karadeniz Ankara",
    "RU": "Ural Sibir Volga Neva Moskva Kama Baltika Don Amur",
    "KZ": "Almaty Astana Steppe Kaspiy Altyn",
    "AE": "Gulf Emirates Dubai Falcon Desert Jebel Oasis",
    "IN": "Mumbai Delhi Chennai Pune Gujarat Bengal Deccan Kaveri",
}
WORDS = {
    "CN": "Huaxin Jiahe Tianyu Hengtong Xinda Zhongke Ruifeng Kaida Longsheng Haoyuan Mingtai "
    "Jinhong Baoli Sanhe Yuanda Dingsheng Weiye Huarui Lianfa Tongda",
    "RU": "Promtekh Stroy Energo Avtomatika Tekhsnab Elektro Spetsmash Navigator Vektor Impuls "
    "Avangard Soyuz Kompleks Resurs Alyans",
    "TR": "Kaya Yildiz Demir Ozturk Aydin Celik Sahin Akdeniz Toros",
    "DE": "Mueller Schmidt Weber Becker Hoffmann Koch Richter Wagner Klein",
    "*": "Atlas Apex Summit Vertex Orion Meridian Horizon Pioneer Keystone Unity Crescent "
    "Pinnacle Sterling Liberty Harbor Evergreen Silverline Bluewater Nova Prime Delta Titan",
}
TRADES = {
    "CN": "Electronics Technology Industrial Trading Import & Export Machinery Precision "
    "Optoelectronics Plastic Products Textile Hardware Intelligent Equipment",
    "RU": "Trade Logistik Import Komplekt Servis Tekh Snab Invest",
    "TR": "Makina Tekstil Elektronik Dis Ticaret Otomotiv Kimya Plastik",
    "DE": "Maschinenbau Elektrotechnik Handel Logistik Antriebstechnik Werkzeuge",
    "*": "Trading Industries Logistics Supply Technologies Global Components Systems "
    "Manufacturing Import Export Enterprises International Solutions",
}
LEGAL = {
    "CN": ["Co., Ltd", "Co., Ltd.", "Limited", "Co Ltd", "有限公司"],
    "HK": ["Limited", "Co., Limited", "Ltd"],
    "RU": ["OOO", "LLC", "AO", "JSC"],
    "KZ": ["TOO", "LLP"],
    "DE": ["GmbH", "GmbH & Co. KG", "AG"],
    "TR": ["A.S.", "Ltd. Sti.", "Sanayi ve Ticaret A.S."],
    "AE": ["FZE", "FZCO", "LLC", "DMCC"],
    "IN": ["Pvt. Ltd.", "Private Limited", "Ltd"],
    "US": ["Inc.", "LLC", "Corp.", "Corporation"],
    "GB": ["Ltd", "Limited", "PLC"],
    "*": ["Ltd", "LLC", "S.A.", "B.V.", "S.r.l.", "Sp. z o.o.", "Co.", "Inc."],
}
PREFIX_FORMS = {"OOO", "AO", "JSC", "TOO"}  # written before the name


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the data ----------------------------------------------------------------------------------


def hs_codes() -> tuple[list[str], dict[str, str], list[str]]:
    """The HS-6 codes of the nomenclature, their descriptions, and the CHPL's codes."""
    codes: list[str] = []
    described: dict[str, str] = {}
    with HS_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["level"] == "6" and len(row["hscode"]) == 6:
                codes.append(row["hscode"])
                described[row["hscode"]] = row["description"][:80]
    with CHPL_FILE.open(encoding="utf-8", newline="") as fh:
        chpl = [row["hs6"] for row in csv.DictReader(fh)]
    return codes, described, chpl


def party_names(count: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """``count`` distinct company names and their countries (see the module's note)."""
    countries = list(COUNTRIES)
    p = np.array(list(COUNTRIES.values()))
    picked = rng.choice(len(countries), size=count * 2, p=p / p.sum())
    words = {k: v.split() for k, v in WORDS.items()}
    trades = {k: v.split() for k, v in TRADES.items()}
    places = {k: v.split() for k, v in PLACES.items()}
    seen: set[str] = set()
    names: list[str] = []
    where: list[str] = []
    rolls = rng.random((count * 2, 6))
    for i, c in enumerate(picked.tolist()):
        if len(names) >= count:
            break
        cc = countries[c]
        w, t, legal = words.get(cc, words["*"]), trades.get(cc, trades["*"]), LEGAL.get(cc)
        legal = legal or LEGAL["*"]
        r = rolls[i]
        parts = []
        if cc in places and r[0] < 0.7:
            pl = places[cc]
            parts.append(pl[int(r[1] * len(pl))])
        a = w[int(r[2] * len(w))]
        b = w[int(r[3] * len(w))]
        parts.append(a if r[4] < 0.5 or a == b else a + b.lower())
        parts.append(t[int(r[5] * len(t))])
        form = legal[(i * 7919) % len(legal)]
        core = " ".join(parts)
        name = f"{form} {core}" if form in PREFIX_FORMS else f"{core} {form}"
        if name in seen:
            name = f"{core} {len(names) % 997 + 2} {form}"
            if name in seen:
                continue
        seen.add(name)
        names.append(name)
        where.append(cc)
    while len(names) < count:  # the parts ran dry: number the rest
        name = f"{names[len(names) % 1000]} No. {len(names)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
            where.append(where[len(names) % 1000])
    return names, where


def zipf(rng: np.random.Generator, n: int, s: float, size: int) -> np.ndarray:
    """``size`` draws of ranks 0..n-1 with P(rank k) proportional to 1/(k+1)^s."""
    cum = np.cumsum(1.0 / np.arange(1, n + 1) ** s)
    return np.minimum(np.searchsorted(cum, rng.random(size) * cum[-1]), n - 1)


def generate(rows: int, parties: int, seed: int, path: Path, chunk: int = 1_000_000) -> None:
    """Write ``rows`` shipments to Parquet ``path`` (see the module's note)."""
    rng = np.random.default_rng(seed)
    codes, described, chpl = hs_codes()
    chapters = sorted({c[:2] for c in codes})
    rest = (1 - sum(CHAPTER_WEIGHTS.values())) / (len(chapters) - len(CHAPTER_WEIGHTS))
    chapter_p = np.array([CHAPTER_WEIGHTS.get(ch, rest) for ch in chapters])
    by_chapter = {ch: [c for c in codes if c[:2] == ch] for ch in chapters}
    for ch in chapters:
        rng.shuffle(by_chapter[ch])
    hs_index = {c: i for i, c in enumerate(codes)}
    chpl_ids = np.array([hs_index[c] for c in chpl if c in hs_index])
    price = np.array([PRICE.get(c[:2], 3.0) for c in codes]) + rng.normal(0, 0.8, len(codes))
    qty = np.array([QTY.get(c[:2], 4.0) for c in codes])
    names, where = party_names(parties, rng)
    order = rng.permutation(parties), rng.permutation(parties)

    def draw_codes(n: int) -> np.ndarray:
        ch = rng.choice(len(chapters), size=n, p=chapter_p)
        code = np.empty(n, np.int64)
        for j in np.unique(ch):
            sel = np.nonzero(ch == j)[0]
            group = by_chapter[chapters[j]]
            picks = zipf(rng, len(group), 1.1, len(sel))
            code[sel] = [hs_index[group[k]] for k in picks.tolist()]
        return code

    relations = max(1, rows // 20)
    rel_s = order[0][zipf(rng, parties, 1.05, relations)]
    rel_c = order[1][zipf(rng, parties, 1.05, relations)]
    rel_code = draw_codes(relations)
    suffixes = np.array(["", "00", "0000", "9000"], dtype=object)
    names_arr = pa.array(names)
    country_arr = pa.array(where)
    code_dict = pa.array([c + s for c in codes for s in suffixes.tolist()])
    desc_arr = pa.array([described[c] for c in codes])
    writer: pq.ParquetWriter | None = None
    try:
        for begin in range(0, rows, chunk):
            n = min(chunk, rows - begin)
            repeat = rng.random(n) < 0.7
            rel = zipf(rng, relations, 1.0, n)
            code = np.where(repeat & (rng.random(n) < 0.8), rel_code[rel], draw_codes(n))
            is_chpl = rng.random(n) < 0.02
            code[is_chpl] = rng.choice(chpl_ids, int(is_chpl.sum()))
            suffix = np.where(rng.random(n) < 0.4, 0, rng.integers(1, 4, n))
            shipper = np.where(repeat, rel_s[rel], order[0][zipf(rng, parties, 1.05, n)])
            consignee = np.where(repeat, rel_c[rel], order[1][zipf(rng, parties, 1.05, n)])
            quantity = np.maximum(1.0, np.round(np.exp(rng.normal(qty[code], 1.0))))
            unit = np.exp(rng.normal(price[code], 0.45))
            odd = rng.random(n) < 0.0005
            unit[odd] *= np.where(rng.random(int(odd.sum())) < 0.5, 40.0, 1 / 40)
            value = np.round(unit * quantity, 2)
            days = rng.integers(0, DAYS, n)
            line = np.arange(begin + 2, begin + n + 2)  # line 1 is a header in a CSV
            batch = pa.table(
                {
                    "line": pa.array(line),
                    "shipment_id": pa.array(np.char.add("BL", line.astype(str))),
                    "date": pa.array((START + days.astype("timedelta64[D]")).astype("M8[D]")),
                    "shipper": pa.DictionaryArray.from_arrays(pa.array(shipper), names_arr),
                    "shipper_country": pa.DictionaryArray.from_arrays(
                        pa.array(shipper), country_arr
                    ),
                    "consignee": pa.DictionaryArray.from_arrays(pa.array(consignee), names_arr),
                    "consignee_country": pa.DictionaryArray.from_arrays(
                        pa.array(consignee), country_arr
                    ),
                    "hs_code": pa.DictionaryArray.from_arrays(
                        pa.array(code * 4 + suffix), code_dict
                    ),
                    "description": pa.DictionaryArray.from_arrays(pa.array(code), desc_arr),
                    "value": pa.array(value),
                    "currency": pa.DictionaryArray.from_arrays(
                        pa.array((rng.random(n) < 0.2).astype(np.int32)), pa.array(["USD", "EUR"])
                    ),
                    "quantity": pa.array(quantity),
                }
            )
            if writer is None:
                writer = pq.ParquetWriter(path, batch.schema)
            writer.write_table(batch)
    finally:
        if writer is not None:
            writer.close()


def data_file(rows: int, parties: int, seed: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"shipments-{rows}-{parties}-{seed}.parquet"
    if not path.is_file():
        began = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        generate(rows, parties, seed, tmp)
        os.replace(tmp, path)
        log(f"generated {rows:,} shipments in {time.perf_counter() - began:.1f} s: {path}")
    return path


# -- the two engines ---------------------------------------------------------------------------


def run_duckdb(path: Path, threads: int) -> dict[str, Any]:
    from sanctrace.trade.aggregates import iter_aggregate_flags

    began = time.perf_counter()
    value_lines: list[int] = []
    lane_lines: list[int] = []
    for line, flags in iter_aggregate_flags(path, threads=threads):
        for flag in flags:
            (value_lines if flag.code == "value_anomaly" else lane_lines).append(line)
    return _result(began, value_lines, lane_lines)


def run_pandas(path: Path) -> dict[str, Any]:
    import pandas as pd

    from sanctrace.trade.aggregates import party_key

    began = time.perf_counter()
    cols = ["line", "date", "shipper", "consignee", "hs_code", "value", "quantity"]
    df = pd.read_parquet(path, columns=cols)
    hs = df["hs_code"].astype(str)
    # value anomaly: modified z of log unit value by HS-6, MAD (mean deviation if MAD is 0)
    priced = df[(df["value"] > 0) & (df["quantity"] > 0) & (hs.str.len() >= 6)]
    hs6 = hs[priced.index].str[:6]
    x = np.log(priced["value"] / priced["quantity"])
    n = x.groupby(hs6).transform("size")
    mx = x.groupby(hs6).transform("median")
    dev = (x - mx).abs()
    mad = dev.groupby(hs6).transform("median")
    meanad = dev.groupby(hs6).transform("mean")
    z = np.where(mad > 0, 0.6745 * (x - mx) / mad.where(mad > 0, 1), np.nan)
    z = np.where((mad <= 0) & (meanad > 0), (x - mx) / (1.253314 * meanad.where(meanad > 0, 1)), z)
    value_lines = priced["line"][(n >= 5) & (np.abs(z) >= 3.5)].tolist()
    # first-time lane: the first row by (date, line) of each folded shipper, consignee, HS-4
    keys: dict[str, pd.Series] = {}
    for column in ("shipper", "consignee"):
        cats = df[column].cat.categories
        folded = pd.Series([party_key(c) for c in cats])
        keys[column] = pd.Series(folded.to_numpy()[df[column].cat.codes.to_numpy()])
    lanes = pd.DataFrame(
        {
            "line": df["line"].to_numpy(),
            "date": df["date"].to_numpy(),
            "sk": keys["shipper"],
            "ck": keys["consignee"],
            "hs4": hs.str[:4].to_numpy(),
        }
    )
    lanes = lanes[(lanes["sk"] != "") & (lanes["ck"] != "") & (lanes["hs4"].str.len() >= 4)]
    first = lanes.sort_values(["date", "line"]).drop_duplicates(["sk", "ck", "hs4"])
    result = _result(began, value_lines, first["line"].tolist())
    return {**result, "value_lines": value_lines, "lane_lines": first["line"].tolist()}


def _result(began: float, value_lines: list[int], lane_lines: list[int]) -> dict[str, Any]:
    def digest(lines: list[int]) -> str:
        return hashlib.sha256(" ".join(map(str, sorted(lines))).encode()).hexdigest()[:16]

    return {
        "checks_s": time.perf_counter() - began,
        "peak_mb": peak_mb(),
        "value_anomaly": len(value_lines),
        "first_time_lane": len(lane_lines),
        "digest": digest(value_lines) + digest(lane_lines),
    }


def child(engine: str, path: Path, threads: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", engine, "--file", str(path)]
    command += ["--threads", str(threads)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{engine} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["wall_s"] = time.perf_counter() - began
    return result


def screen_whole(path: Path) -> dict[str, Any]:
    """The whole ``sanctrace trade screen`` on the file (report to CSV), timed with its peak
    RSS (GNU time's maximum resident set size when /usr/bin/time exists)."""
    import re

    out = path.with_suffix(".report.csv")
    sanctrace = str(Path(sys.executable).with_name("sanctrace"))
    command = [sanctrace, "trade", "screen", str(path), "--out", str(out)]
    timer = Path("/usr/bin/time")
    if timer.exists():
        command = [str(timer), "-f", "maxrss_kb=%M", *command]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    rss = [ln for ln in done.stderr.splitlines() if ln.startswith("maxrss_kb=")]
    found = re.search(r"([\d,]+) high, ([\d,]+) medium, ([\d,]+) low", done.stderr)
    counts = {}
    if found:
        counts = dict(
            zip(
                ("high", "medium", "low"),
                (int(g.replace(",", "")) for g in found.groups()),
                strict=True,
            )
        )
    return {
        "rc": done.returncode,
        "wall_s": wall,
        "peak_mb": int(rss[-1].split("=")[1]) / 1024 if rss else None,
        "counts": counts,
        "stderr": done.stderr[-2000:],
    }


def pandas_screen(path: Path, out: Path) -> dict[str, Any]:
    """The whole job as a plain pandas program would do it: the file in one DataFrame, the same
    per-row checks (``RowChecks``, with its per-value caches) over ``itertuples``, the
    aggregate checks of :func:`run_pandas`, scores added up, ``sort_values``, ``to_csv``."""
    import pandas as pd

    from sanctrace.batch.readers import value_text
    from sanctrace.cli.context import State
    from sanctrace.trade.read import map_columns, row_shipment
    from sanctrace.trade.run import RowChecks, checks_off
    from sanctrace.trade.score import WEIGHTS, evidence, level_of
    from sanctrace.trade.setup import open_party_checks

    began = time.perf_counter()
    state = State()
    party_checks, owned, _addresses = open_party_checks(state, "ofac", 0.9)
    df = pd.read_parquet(path)
    columns = map_columns(tuple(df.columns), {}, str(path))
    off = checks_off(set(columns), owned)
    checks = RowChecks(party_checks, off)
    codes, reasons, totals = [], [], []
    for number, record in enumerate(df.itertuples(index=False, name=None), 1):
        cells = tuple(value_text(None if v is pd.NaT else v) for v in record)
        s = row_shipment(number, cells, columns).shipment
        flags = checks.flags(s)
        codes.append(";".join(dict.fromkeys(f.code for f in flags)))
        reasons.append(" | ".join(f.reason for f in flags))
        totals.append(evidence(flags, WEIGHTS))
    aggregates = run_pandas(path)
    df["risk"] = totals
    df["flags"] = codes
    df["reasons"] = reasons
    for code, lines in (("value_anomaly", aggregates["value_lines"]),
                        ("first_time_lane", aggregates["lane_lines"])):  # fmt: skip
        hit = df["line"].isin(lines)
        df.loc[hit, "risk"] += WEIGHTS[code]
        df.loc[hit, "flags"] = (df.loc[hit, "flags"] + ";" + code).str.lstrip(";")
    df["evidence"] = df["risk"]
    df["risk"] = df["risk"].clip(upper=100)
    df["level"] = [level_of(r) for r in df["risk"]]
    df = df.sort_values(["risk", "evidence", "line"], ascending=[False, False, True])
    df.to_csv(out, index=False)
    counts = df["level"].value_counts().to_dict()
    return {"wall_s": time.perf_counter() - began, "peak_mb": peak_mb(), "counts": counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000", help="sizes, joined by commas")
    parser.add_argument("--parties", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    parser.add_argument("--screen", action="store_true", help="also time trade screen")
    parser.add_argument("--one", choices=(*ENGINES, "pandas-screen"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one == "pandas-screen":
        print(json.dumps(pandas_screen(args.file, args.file.with_suffix(".pandas-report.csv"))))
        return 0
    if args.one:
        out = run_duckdb(args.file, args.threads) if args.one == "duckdb" else run_pandas(args.file)
        print(json.dumps({k: v for k, v in out.items() if not k.endswith("_lines")}))
        return 0
    lines, agree = [], True
    screens: list[list[str]] = []
    for rows in (int(r) for r in args.rows.split(",")):
        path = data_file(rows, args.parties, args.seed)
        results = []
        for engine in args.engines.split(","):
            log(f"{rows:,} rows: {engine}...")
            results.append({"engine": engine, **child(engine, path, args.threads)})
            log(f"  {results[-1]}")
        for r in results:
            same = r["digest"] == results[0]["digest"]
            agree &= same
            lines.append([
                f"{rows:,}", r["engine"], f"{rows / r['wall_s']:,.0f}",
                f"{r['checks_s']:.1f} s", f"{r['wall_s']:.1f} s", f"{r['peak_mb']:,.0f} MB",
                f"{r['value_anomaly']:,}", f"{r['first_time_lane']:,}", "yes" if same else "NO",
            ])  # fmt: skip
        if args.screen:
            screens.extend(screen_both(path, rows, args.engines.split(",")))
    print(f"{machine_line()}; {args.parties:,} parties\n")
    header = ["rows", "engine", "rows/s", "checks", "process wall", "peak RSS",
              "value_anomaly", "first_time_lane", "same lines"]  # fmt: skip
    print("\n".join(table(header, lines, "ll" + "r" * 6 + "l")))
    if screens:
        print("\nThe whole `trade screen` (report to CSV):\n")
        header = ["rows", "engine", "rows/s", "wall", "peak RSS", "high", "medium", "low"]
        print("\n".join(table(header, screens, "ll" + "r" * 6)))
    return 0 if agree else 1


def screen_both(path: Path, rows: int, engines: list[str]) -> list[list[str]]:
    """The whole screen, streamed (the CLI) and as plain pandas, each in its own process."""
    out = []
    for engine in ("sanctrace", "pandas"):
        if engine == "pandas" and "pandas" not in engines:
            continue
        log(f"{rows:,} rows: whole trade screen, {engine}...")
        whole = screen_whole(path) if engine == "sanctrace" else screen_pandas(path)
        log(f"  {whole}")
        counts = whole.get("counts") or {}
        rss = f"{whole['peak_mb']:,.0f} MB" if whole.get("peak_mb") else "n/a"
        out.append([
            f"{rows:,}", "sanctrace (streamed)" if engine == "sanctrace" else "pandas",
            f"{rows / whole['wall_s']:,.0f}", f"{whole['wall_s']:.0f} s", rss,
            *(f"{counts.get(k, 0):,}" for k in ("high", "medium", "low")),
        ])  # fmt: skip
    return out


def screen_pandas(path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", "pandas-screen", "--file", str(path)]
    timer = Path("/usr/bin/time")
    if timer.exists():
        command = [str(timer), "-f", "maxrss_kb=%M", *command]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"wall_s": time.perf_counter() - began, "peak_mb": None, "error": done.stderr}
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    result["wall_s"] = time.perf_counter() - began
    rss = [ln for ln in done.stderr.splitlines() if ln.startswith("maxrss_kb=")]
    result["peak_mb"] = int(rss[-1].split("=")[1]) / 1024 if rss else result["peak_mb"]
    return result


if __name__ == "__main__":
    raise SystemExit(main())
