"""Write the trade worked example: the founding case's shipments mixed into clean ones.

The founding case (a public 2024 report): a subsidiary of a listed Russian arms maker (IEMZ
Kupol, Izhevsk, of the Almaz-Antey group) had drones developed and produced in China, paid
Chinese suppliers through a Russian intermediary, and had drones and parts shipped to
Izhevsk. The rows below are invented but follow that structure: a Chinese manufacturer ships
unmanned aircraft (HS 8806) and their parts (8807) and electronics to a newly formed Moscow
trading company, which pays and forwards them to the Izhevsk plant, via a transshipment hub.
The clean shipments are generated (seeded) from the HS 2022 nomenclature's subheadings with
invented company names: nothing in them is meant to be listed.

    .venv/bin/python examples/trade_founding_case.py OUT.csv [--clean 10000] [--seed 19]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

COLUMNS = (
    "shipment_id",
    "date",
    "shipper",
    "shipper_country",
    "consignee",
    "consignee_country",
    "consignee_address",
    "consignee_registered",
    "notify_party",
    "payer",
    "payer_country",
    "origin_country",
    "transit_countries",
    "hs_code",
    "description",
    "value",
    "currency",
    "quantity",
    "unit",
)

SUPPLIER = "Shenzhen Lanxiang Aviation Technology Co., Ltd."
TRADER = "OOO Vostok Trade Logistics"
KUPOL = "JSC Izhevsk Electromechanical Plant Kupol"
TRADER_ADDRESS = "ul. Bolshaya Ordynka 40, Moscow 119017"
TRADER_FORMED = "2023-02-14"

#: (days after 2023-06-01, HS code, description, value USD, quantity, unit, consignee, payer,
#: transit): the founding case's shipments.
FOUNDING = [
    (
        0,
        "8806210000",
        "Unmanned aircraft, fixed wing, max take-off weight 20 kg, with ground station",
        412_000,
        8,
        "pcs",
        TRADER,
        TRADER,
        "KZ",
    ),
    (
        21,
        "8807300000",
        "Parts of unmanned aircraft: wing and fuselage assemblies, composite",
        96_500,
        40,
        "sets",
        TRADER,
        TRADER,
        "KZ",
    ),
    (
        35,
        "8542310000",
        "Microcontrollers, 32-bit, for flight control units",
        58_300,
        5000,
        "pcs",
        TRADER,
        TRADER,
        "KZ",
    ),
    (
        49,
        "8526910000",
        "GNSS navigation modules for UAV autopilot",
        44_800,
        800,
        "pcs",
        KUPOL,
        TRADER,
        "KZ",
    ),
    (
        63,
        "9503009000",
        "Flight controller boards for quadcopter drones",
        31_200,
        1200,
        "pcs",
        TRADER,
        TRADER,
        "AE",
    ),
    (
        77,
        "8806920000",
        "Unmanned aerial vehicles (drones), complete, with spare parts kits",
        655_000,
        12,
        "pcs",
        KUPOL,
        TRADER,
        "KZ",
    ),
    (
        91,
        "8807300000",
        "UAV parts: engine mounts, landing gear, servo actuators",
        72_900,
        60,
        "sets",
        TRADER,
        TRADER,
        "",
    ),
    (
        105,
        "8517620000",
        "RF data-link transceivers, 2.4 GHz, for unmanned aircraft",
        38_400,
        300,
        "pcs",
        TRADER,
        TRADER,
        "KZ",
    ),
]

COUNTRIES = [
    "DE",
    "US",
    "CN",
    "FR",
    "IT",
    "NL",
    "JP",
    "KR",
    "IN",
    "BR",
    "TR",
    "PL",
    "ES",
    "GB",
    "CA",
    "MX",
    "VN",
    "TH",
    "AE",
    "KZ",
    "RU",
]
FORMS = {
    "DE": "GmbH",
    "US": "Inc.",
    "CN": "Co., Ltd.",
    "FR": "SAS",
    "IT": "S.r.l.",
    "NL": "B.V.",
    "JP": "K.K.",
    "KR": "Co., Ltd.",
    "IN": "Pvt. Ltd.",
    "BR": "Ltda.",
    "TR": "A.Ş.",
    "PL": "Sp. z o.o.",
    "ES": "S.L.",
    "GB": "Ltd",
    "CA": "Inc.",
    "MX": "S.A. de C.V.",
    "VN": "JSC",
    "TH": "Co., Ltd.",
    "AE": "LLC",
    "KZ": "LLP",
    "RU": "OOO",
}
FIRST = [
    "Quill",
    "Brack",
    "Marl",
    "Ashen",
    "Tarn",
    "Wend",
    "Corr",
    "Fenn",
    "Hollin",
    "Sorrel",
    "Lyle",
    "Cairn",
    "Elder",
    "Rowan",
    "Thistle",
    "Bramble",
    "Larch",
    "Moss",
    "Heron",
    "Osprey",
]
SECOND = ["mere", "fold", "stead", "brook", "wick", "holt", "combe", "ford", "ridge", "haven"]
TRADES = [
    "Packaging",
    "Textiles",
    "Foods",
    "Furniture",
    "Ceramics",
    "Logistics",
    "Plastics",
    "Paper",
    "Garden Supplies",
    "Footwear",
    "Dairy",
    "Glassworks",
    "Hardware",
    "Toys",
    "Cosmetics",
]


def founding_rows() -> list[dict[str, str]]:
    start = date(2023, 6, 1)
    rows = []
    for i, (days, hs, text, value, qty, unit, consignee, payer, via) in enumerate(FOUNDING, 1):
        rows.append(
            {
                "shipment_id": f"FC-{i:03d}",
                "date": (start + timedelta(days=days)).isoformat(),
                "shipper": SUPPLIER,
                "shipper_country": "CN",
                "consignee": consignee,
                "consignee_country": "RU",
                "consignee_address": TRADER_ADDRESS
                if consignee == TRADER
                else "ul. Novostroiteľnaya 4, Izhevsk",
                "consignee_registered": TRADER_FORMED if consignee == TRADER else "",
                "notify_party": KUPOL if consignee == TRADER else "",
                "payer": payer,
                "payer_country": "RU",
                "origin_country": "CN",
                "transit_countries": via,
                "hs_code": hs,
                "description": text,
                "value": str(value),
                "currency": "USD",
                "quantity": str(qty),
                "unit": unit,
            }
        )
    return rows


def subheadings() -> list[tuple[str, str]]:
    text = resources.files("sanctrace.trade").joinpath("data/hs2022_harmonized-system.csv")
    with text.open(encoding="utf-8") as fh:
        return [(r["hscode"], r["description"]) for r in csv.DictReader(fh) if r["level"] == "6"]


def clean_rows(count: int, rng: random.Random) -> list[dict[str, str]]:
    codes = subheadings()
    companies: list[tuple[str, str]] = []
    for _ in range(1500):
        country = rng.choice(COUNTRIES)
        name = f"{rng.choice(FIRST)}{rng.choice(SECOND)} {rng.choice(TRADES)} {FORMS[country]}"
        companies.append((name, country))
    start = date(2023, 1, 1)
    rows = []
    for i in range(count):
        shipper, s_country = rng.choice(companies)
        consignee, c_country = rng.choice(companies)
        while consignee == shipper:
            consignee, c_country = rng.choice(companies)
        hs6, description = rng.choice(codes)
        quantity = rng.randint(1, 2000)
        unit_value = round(rng.lognormvariate(3, 1.2), 2)
        rows.append(
            {
                "shipment_id": f"CL-{i + 1:05d}",
                "date": (start + timedelta(days=rng.randint(0, 700))).isoformat(),
                "shipper": shipper,
                "shipper_country": s_country,
                "consignee": consignee,
                "consignee_country": c_country,
                "consignee_address": "",
                "consignee_registered": "",
                "notify_party": "",
                "payer": consignee if rng.random() < 0.9 else shipper,
                "payer_country": c_country,
                "origin_country": s_country,
                "transit_countries": "",
                "hs_code": hs6 + rng.choice(["", "00", "0000"]),
                "description": description,
                "value": f"{unit_value * quantity:.2f}",
                "currency": "USD",
                "quantity": str(quantity),
                "unit": "pcs",
            }
        )
    return rows


def write(path: Path, clean: int = 10_000, seed: int = 19) -> None:
    rng = random.Random(seed)
    rows = clean_rows(clean, rng)
    for row in founding_rows():
        rows.insert(rng.randrange(len(rows) + 1), row)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--clean", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    write(args.out, args.clean, args.seed)
