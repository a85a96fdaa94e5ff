from __future__ import annotations

import contextlib
import struct
import time
import zipfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from helpers import flip_bytes, parse_file_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import HostileInputError, SanctraceError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import uk_fcdo
from sanctrace.sources.base import ParsedList, read_head

HEADER = [
    "Unique ID",
    "OFSI Group ID",
    "Name",
    "Regime Name",
    "Type",
    "Designation source",
    "Date Designated",
    "Sanctions Imposed",
]
# Real rows of the 2025-08-11 file.
ROWS = [
    [
        "RUS0001",
        "12944",
        "Kiselyov Dmitry Konstantinovich",
        "Russia",
        "Individual",
        "UK",
        "31-12-2020",
        "Asset freeze, Director Disqualification Sanction, Travel Ban, Trust Services Sanctions",
    ],
    [
        "RUS0250",
        "14195",
        "VTB Bank (Public Joint-Stock Company)",
        "Russia",
        "Entity",
        "UK",
        "24-02-2022",
        "Asset freeze, Director Disqualification Sanction, Prohibition on "
        "Correspondent banking relationships and processing payments, Trust Services Sanctions",
    ],
    [
        "DPR0077",
        "",
        "Tong San 2",
        "Democratic People's Republic of Korea",
        "Ship",
        "UN",
        "03-10-2017",
        "Prohibition of port entry",
    ],
    [
        "AFG0003",
        "12811",
        "HAQQANI NETWORK (HQN)",
        "Afghanistan",
        "Entity",
        "UN",
        "05-11-2012",
        "Arms embargo, Asset freeze",
    ],
]

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_content(rows: list[list[str]], prologue: str = "") -> str:
    body = "".join(
        "<table:table-row>"
        + "".join(
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(cell)}</text:p></table:table-cell>"
            for cell in row
        )
        + "</table:table-row>"
        for row in rows
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<office:document-content {NS}>'
        f'<office:body><office:spreadsheet><table:table table:name="S">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )


def write_ods(path: Path, content: str | bytes, stamp: tuple[int, int, int] = (1980, 1, 1)) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), uk_fcdo.ODS_MIMETYPE, zipfile.ZIP_STORED)
        zf.writestr(
            zipfile.ZipInfo("content.xml", (*stamp, 12, 0, 0)), content, zipfile.ZIP_DEFLATED
        )
    return path


@pytest.fixture(scope="module")
def snapshot(data_dir: Path) -> Path:
    return data_dir / "uk" / "2025-08-11" / "UK_Sanctions_List.ods"


@pytest.fixture(scope="module")
def parsed(snapshot: Path) -> ParsedList:
    return uk_fcdo.parse([snapshot])


def test_counts(parsed: ParsedList) -> None:
    # 5,302 rows, 5,302 distinct Unique IDs: no row repeats an ID, so nothing is merged.
    assert len(parsed.entities) == 5302
    assert len({e.id for e in parsed.entities}) == 5302
    schemas = Counter(e.schema for e in parsed.entities)
    assert schemas["Person"] == 3754
    assert schemas["Vessel"] == 461
    assert schemas["Company"] + schemas["Organization"] == 1087
    assert Counter(p for e in parsed.entities for p in e.programs)["Russia"] == 2710
    assert parsed.skipped_rows == 0
    assert parsed.dataset == "gb_fcdo_sanctions"
    assert parsed.format == "uk_fcdo"


def test_published_is_export_date(parsed: ParsedList) -> None:
    # content.xml is stamped 2025-08-11; meta.xml's dc:date (2024-03-18) predates designations.
    assert parsed.published == "2025-08-11"


def test_russia_entry(by_id: dict[str, Entity]) -> None:
    entity = by_id["RUS0001"]
    assert entity.id == "gb_fcdo_sanctions:RUS0001"
    assert entity.schema == "Person"
    assert entity.caption == "Kiselyov Dmitry Konstantinovich"
    assert [(n.value, n.kind) for n in entity.names] == [
        ("Kiselyov Dmitry Konstantinovich", "primary")
    ]
    assert entity.programs == ["Russia"]
    assert entity.listed_on == "2020-12-31"
    assert entity.properties["ofsiGroupId"] == ["12944"]
    assert entity.properties["designationSource"] == ["UK"]
    assert entity.properties["provisions"] == [
        "Asset freeze",
        "Director Disqualification Sanction",
        "Travel Ban",
        "Trust Services Sanctions",
    ]


def test_entities_and_ships(by_id: dict[str, Entity]) -> None:
    vtb = by_id["RUS0250"]
    assert vtb.schema == "Company"
    assert vtb.properties["ofsiGroupId"] == ["14195"]
    assert vtb.listed_on == "2022-02-24"
    assert by_id["AFG0003"].schema == "Organization"  # HAQQANI NETWORK (HQN)
    ship = by_id["DPR0077"]
    assert ship.schema == "Vessel"
    assert ship.caption == "Tong San 2"
    assert "ofsiGroupId" not in ship.properties
    assert by_id["RUS0270"].caption == "ABRAMOVICH Roman Arkadyevich"
    # One OFSI group, designated under two regimes: two FCDO entries, one OFSI target.
    assert by_id["BEL0005"].properties["ofsiGroupId"] == ["13923"]
    assert by_id["GHR0055"].properties["ofsiGroupId"] == ["13923"]
    assert by_id["AQD0194"].properties["designationSource"] == ["UN"]


def test_rows_without_name_are_kept_with_warning(
    parsed: ParsedList, by_id: dict[str, Entity]
) -> None:
    # The real file has two designations with an empty Name cell.
    assert len([w for w in parsed.warnings if "has no name" in w]) == 2
    assert by_id["BEL0174"].names == []
    assert by_id["BEL0174"].caption == "BEL0174"
    assert by_id["BEL0174"].properties["ofsiGroupId"] == ["16744"]
    assert by_id["RUS1467"].names == []


def test_parse_is_fast(snapshot: Path) -> None:
    start = time.perf_counter()
    uk_fcdo.parse([snapshot])
    assert time.perf_counter() - start < 2.0


def test_sniff(snapshot: Path, data_dir: Path, tmp_path: Path) -> None:
    assert uk_fcdo.sniff(snapshot, read_head(snapshot))
    others = [
        data_dir / "australia_dfat" / "2024-11-11" / "regulation8_consolidated.xlsx",
        data_dir / "uk" / "ofsi_conlist_2020_excerpt" / "ConList.csv",
        data_dir / "canada_sema" / "2025-03-20" / "sema-lmes.xml",
    ]
    for other in others:
        assert not uk_fcdo.sniff(other, read_head(other)), other
    other_sheet = write_ods(tmp_path / "other.ods", ods_content([["a", "b"], ["1", "2"]]))
    assert not uk_fcdo.sniff(other_sheet, read_head(other_sheet))
    garbage = tmp_path / "garbage.ods"
    garbage.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert not uk_fcdo.sniff(garbage, read_head(garbage))


def test_small_ods(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "list.ods", ods_content([["UK Sanctions List"], HEADER, *ROWS]))
    assert uk_fcdo.sniff(path, read_head(path))
    result = uk_fcdo.parse([path])
    assert [e.source_id for e in result.entities] == ["RUS0001", "RUS0250", "DPR0077", "AFG0003"]
    assert result.entities[0].provenance.record == "row 3"
    assert result.published is None  # no stamp in the archive
    stamped = write_ods(tmp_path / "stamped.ods", ods_content([HEADER, *ROWS]), (2025, 1, 2))
    assert uk_fcdo.parse([stamped]).published == "2025-01-02"
    # A stamp older than the newest designation cannot be the publication date.
    stale = write_ods(tmp_path / "stale.ods", ods_content([HEADER, *ROWS]), (2021, 1, 2))
    assert uk_fcdo.parse([stale]).published is None


def test_csv_summary(tmp_path: Path) -> None:
    path = tmp_path / "summary.csv"
    lines = [",".join(HEADER)] + [",".join(f'"{c}"' for c in row) for row in ROWS]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert uk_fcdo.sniff(path, read_head(path))
    result = uk_fcdo.parse([path])
    assert len(result.entities) == 4
    assert result.entities[1].schema == "Company"
    assert result.entities[0].listed_on == "2020-12-31"


def test_repeated_unique_id_is_merged(tmp_path: Path) -> None:
    second = [
        "RUS0001",
        "12944",
        "Kiselev Dmitri",
        "Ukraine",
        "Individual",
        "UK",
        "01-01-2019",
        "Asset freeze",
    ]
    path = write_ods(tmp_path / "dup.ods", ods_content([HEADER, ROWS[0], second]))
    result = uk_fcdo.parse([path])
    assert len(result.entities) == 1
    entity = result.entities[0]
    assert entity.programs == ["Russia", "Ukraine"]
    assert entity.listed_on == "2019-01-01"
    assert ("Kiselev Dmitri", "strong_aka") in [(n.value, n.kind) for n in entity.names]
    assert any("repeated" in w for w in result.warnings)


def test_wrong_columns(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "wrong.ods", ods_content([["ID", "Name", "Kind"], ["1", "x", "y"]]))
    with pytest.raises(SourceError) as info:
        uk_fcdo.parse([path])
    message = str(info.value)
    assert "Unique ID" in message and "OFSI Group ID" in message
    assert "found ID, Name, Kind" in message
    csv_path = tmp_path / "wrong.csv"
    csv_path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceError, match="expected columns"):
        uk_fcdo.parse([csv_path])


def test_bad_row(tmp_path: Path) -> None:
    bad = ["RUS9999", "1", "Someone", "Russia", "Alien", "UK", "01-01-2020", "Asset freeze"]
    path = write_ods(tmp_path / "bad.ods", ods_content([HEADER, ROWS[0], bad, ROWS[1]]))
    with pytest.raises(SourceError) as info:
        uk_fcdo.parse([path])
    assert info.value.record == "row 3"
    assert info.value.field == "Type"
    result = uk_fcdo.parse([path], skip_bad_rows=True)
    assert result.skipped_rows == 1
    assert len(result.entities) == 2
    bad_date = [*ROWS[0][:6], "31-31-2020", ROWS[0][7]]
    path = write_ods(tmp_path / "bad_date.ods", ods_content([HEADER, bad_date]))
    with pytest.raises(SourceError) as info:
        uk_fcdo.parse([path])
    assert info.value.field == "Date designated"


def test_bad_encoding_csv(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        ",".join(HEADER).encode() + b"\nRUS0001,1,K\xe9lly,Russia,Individual,UK,"
        b"01-01-2020,Asset freeze\n"
    )
    with pytest.raises(SourceError) as info:
        uk_fcdo.parse([path])
    assert info.value.line == 2
    path.write_bytes(",".join(HEADER).encode() + b"\nRUS0001,1,K,Russia,Alien,UK,,\n")
    with pytest.raises(SourceError) as info:
        uk_fcdo.parse([path])
    assert (info.value.line, info.value.record, info.value.field) == (2, None, "Type")


def test_truncated_zip(snapshot: Path, tmp_path: Path) -> None:
    data = snapshot.read_bytes()
    path = tmp_path / "truncated.ods"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError):
        uk_fcdo.parse([path])


def test_corrupt_zip_entry(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "ok.ods", ods_content([HEADER, *ROWS]))
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("content.xml")
    data[info.header_offset + 30 + len("content.xml") + 20] ^= 0xFF  # inside the deflate data
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError) as info_:
        uk_fcdo.parse([path])
    assert info_.value.record == "content.xml"


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "bomb.ods", ods_content([HEADER]) + " " * (30 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(HostileInputError, match="zip bomb"):
        uk_fcdo.parse([path])


def test_zip_bomb_lying_about_size(tmp_path: Path) -> None:
    # Below the ratio threshold, but the directory claims 100 bytes for 900 kB of data.
    path = write_ods(tmp_path / "liar.ods", ods_content([HEADER]) + " " * 900_000)
    data = bytearray(path.read_bytes())
    central = data.find(b"content.xml", data.find(b"PK\x01\x02")) - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<L", data, central + 24, 100)
    path.write_bytes(bytes(data))
    with pytest.raises(HostileInputError, match="beyond its declared size"):
        uk_fcdo.parse([path])


def test_hostile_xml_in_ods(tmp_path: Path) -> None:
    prologue = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    path = write_ods(tmp_path / "xxe.ods", ods_content([HEADER, *ROWS], prologue))
    with pytest.raises(HostileInputError):
        uk_fcdo.parse([path])


def test_not_a_zip_and_wrong_count(tmp_path: Path, snapshot: Path) -> None:
    path = tmp_path / "x.ods"
    path.write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(SourceError):
        uk_fcdo.parse([path])
    with pytest.raises(SourceError):
        uk_fcdo.parse([snapshot, snapshot])


@pytest.fixture(scope="module")
def small_ods(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("ods") / "small.ods"
    return write_ods(path, ods_content([HEADER, *ROWS])).read_bytes()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_ods_raises_only_typed_errors(
    small_ods: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    mutated = flip_bytes(data, small_ods, least=1, most=6)
    cut = data.draw(st.integers(1, len(mutated)))
    path = tmp_path / "mutated.ods"
    path.write_bytes(bytes(mutated[:cut]))
    parse_file_raises_only_typed_errors(uk_fcdo, path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=400))
def test_random_csv_raises_only_typed_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "random.csv"
    path.write_text(",".join(HEADER) + "\n" + text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(SanctraceError):
        uk_fcdo.parse([path])
