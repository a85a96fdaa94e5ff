from __future__ import annotations

import time
import zipfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from helpers import flip_bytes, names, parse_file_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import HostileInputError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import au_dfat
from sanctrace.sources.base import ParsedList, read_head

HEADER = list(au_dfat.COLUMNS)
# Real rows of the 2024-11-11 file (Additional Information shortened).
ROWS = [
    [
        "2",
        "MOHAMMAD HASSAN AKHUND",
        "Individual",
        "Primary Name",
        "a) Approximately 1955- 1958 b) Approximately 1945-1950",
        "Pashmul village, Panjwai District, Kandahar Province, Afghanistan",
        "Afghanistan",
        "NA",
        "Title: a) Mullah b) Haji.",
        "Listed by UN 1267 Committee on 25 January 2001",
        "1988 (Taliban)",
        "2014-12-15",
    ],
    [
        "2a",
        "محمد حسن أخوند",
        "Individual",
        "Original Script",
        "a) Approximately 1955- 1958 b) Approximately 1945-1950",
        "Pashmul village, Panjwai District, Kandahar Province, Afghanistan",
        "Afghanistan",
        "NA",
        "Title: a) Mullah b) Haji.",
        "Listed by UN 1267 Committee on 25 January 2001",
        "1988 (Taliban)",
        "2014-12-15",
    ],
    [
        "3164",
        "CHONGCHONGANG SHIPPING COMPANY",
        "Entity",
        "Primary Name",
        "",
        "",
        "",
        "817 Haeun, Donghung-dong, Central District, Pyongyang, Democratic People's Republic of "
        "Korea",
        "IMO Number: 5342883.",
        "Listed on: 2 Mar. 2016 (amended on 26 Jul. 2022)",
        "1718 (DPRK)",
        "2022-08-03",
    ],
]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def write_xlsx(path: Path, rows: list[list[str]], padding: str = "") -> Path:
    """A minimal XLSX workbook with inline strings (what calamine and Excel both read)."""
    sheet_rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(
            f'<c r="{column(c)}{r + 1}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for c, value in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData>{sheet_rows}</sheetData>{padding}</worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


@pytest.fixture(scope="module")
def snapshot(data_dir: Path) -> Path:
    return data_dir / "australia_dfat" / "2024-11-11" / "regulation8_consolidated.xlsx"


@pytest.fixture(scope="module")
def parsed(snapshot: Path) -> ParsedList:
    return au_dfat.parse([snapshot])


def test_counts(parsed: ParsedList) -> None:
    # 9,553 name rows; 3,062 distinct base references, each with exactly one primary name.
    assert len(parsed.entities) == 3062
    assert len({e.id for e in parsed.entities}) == 3062
    kinds = Counter(n.kind for e in parsed.entities for n in e.names)
    assert kinds == {"primary": 3062, "strong_aka": 6467, "fka": 4}  # 20 repeated names merged
    schemas = Counter(e.schema for e in parsed.entities)
    assert schemas["Person"] == 2316
    assert schemas["Company"] + schemas["Organization"] == 746
    assert (
        sum(1 for e in parsed.entities if any(i.type == "imoNumber" for i in e.identifiers)) == 20
    )
    assert parsed.published == "2024-11-11"  # the latest Control Date
    assert parsed.warnings == []
    assert parsed.skipped_rows == 0


def test_person_with_original_script(by_id: dict[str, Entity]) -> None:
    entity = by_id["2"]
    assert entity.id == "au_dfat_sanctions:2"
    assert entity.schema == "Person"
    assert names(entity) == [
        ("MOHAMMAD HASSAN AKHUND", "primary"),
        ("محمد حسن أخوند", "strong_aka"),
    ]
    assert entity.birth_dates == ["1955", "1958", "1945", "1950"]
    assert entity.birth_places == [
        "Pashmul village, Panjwai District, Kandahar Province, Afghanistan"
    ]
    assert entity.citizenships == ["AF"]
    assert entity.addresses == []  # "NA"
    assert entity.programs == ["1988 (Taliban)"]
    assert entity.listed_on == "2001-01-25"
    assert entity.modified_on == "2014-12-15"


def test_aliases_share_the_base_reference(by_id: dict[str, Entity]) -> None:
    entity = by_id["1276"]  # rows 1276, 1276a ... 1276c1 ... 1276c4
    assert names(entity)[0] == (
        "Abd Al-Rahman Ould Muhammad Al-Husayn Ould Muhammad Salim",
        "primary",
    )
    assert ("Shaykh Yunis the Mauritanian", "strong_aka") in names(entity)
    assert len(entity.names) == 15
    assert entity.birth_dates == ["1981"]


def test_shipping_company_imo(by_id: dict[str, Entity]) -> None:
    entity = by_id["3164"]
    assert entity.schema == "Company"
    assert names(entity) == [
        ("CHONGCHONGANG SHIPPING COMPANY", "primary"),
        ("Chong Chon Gang Shipping Co. Ltd.", "strong_aka"),
        ("Chongchongang Shipping Co LTD", "strong_aka"),
    ]
    assert [(i.type, i.value) for i in entity.identifiers] == [("imoNumber", "5342883")]
    assert entity.countries == ["KP"]
    assert entity.listed_on == "2016-03-02"
    assert entity.programs == ["1718 (DPRK)"]


def test_latest_entry(by_id: dict[str, Entity]) -> None:
    entity = by_id["7994"]
    assert entity.caption == "Osman Mohamed Hamid Mohamed"
    assert entity.gender == "male"
    assert entity.birth_dates == ["1966-01-01"]
    assert entity.citizenships == ["SD"]
    assert entity.listed_on == "2024-11-08"
    assert entity.modified_on == "2024-11-11"


def test_parse_is_fast(snapshot: Path) -> None:
    start = time.perf_counter()
    au_dfat.parse([snapshot])
    assert time.perf_counter() - start < 2.0


def test_sniff(snapshot: Path, data_dir: Path, tmp_path: Path) -> None:
    assert au_dfat.sniff(snapshot, read_head(snapshot))
    for other in [
        data_dir / "uk" / "2025-08-11" / "UK_Sanctions_List.ods",
        data_dir / "uk" / "ofsi_conlist_2020_excerpt" / "ConList.csv",
        data_dir / "canada_sema" / "2025-03-20" / "sema-lmes.xml",
    ]:
        assert not au_dfat.sniff(other, read_head(other)), other
    other_book = write_xlsx(tmp_path / "other.xlsx", [["a", "b"], ["1", "2"]])
    assert not au_dfat.sniff(other_book, read_head(other_book))


def test_small_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "small.xlsx", [["Consolidated List"], HEADER, *ROWS])
    assert au_dfat.sniff(path, read_head(path))
    result = au_dfat.parse([path])
    assert [e.source_id for e in result.entities] == ["2", "3164"]
    assert result.published == "2022-08-03"
    assert result.entities[0].provenance.record == "row 3"


def test_wrong_columns(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "wrong.xlsx", [["Ref", "Name", "Kind"], ["1", "x", "y"]])
    with pytest.raises(SourceError) as info:
        au_dfat.parse([path])
    assert "Name of Individual or Entity" in str(info.value)
    assert "found Ref, Name, Kind" in str(info.value)


def test_bad_rows(tmp_path: Path) -> None:
    bad_ref = ["x12", *ROWS[0][1:]]
    path = write_xlsx(tmp_path / "bad.xlsx", [HEADER, ROWS[0], bad_ref, ROWS[2]])
    with pytest.raises(SourceError) as info:
        au_dfat.parse([path])
    assert (info.value.record, info.value.field) == ("row 3", "Reference")
    result = au_dfat.parse([path], skip_bad_rows=True)
    assert result.skipped_rows == 1
    assert len(result.entities) == 2

    bad_type = [*ROWS[2][:2], "Alien", *ROWS[2][3:]]
    path = write_xlsx(tmp_path / "bad_type.xlsx", [HEADER, bad_type])
    with pytest.raises(SourceError) as info:
        au_dfat.parse([path])
    assert info.value.field == "Type"

    bad_date = [*ROWS[2][:11], "not a date"]
    path = write_xlsx(tmp_path / "bad_date.xlsx", [HEADER, bad_date])
    with pytest.raises(SourceError) as info:
        au_dfat.parse([path])
    assert info.value.field == "Control Date"


def test_truncated_and_not_xlsx(snapshot: Path, tmp_path: Path, data_dir: Path) -> None:
    data = snapshot.read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(SourceError):
        au_dfat.parse([path])
    with pytest.raises(SourceError, match=r"no xl/workbook\.xml"):
        au_dfat.parse([data_dir / "uk" / "2025-08-11" / "UK_Sanctions_List.ods"])
    with pytest.raises(SourceError):
        au_dfat.parse([data_dir / "uk" / "ofsi_conlist_2020_excerpt" / "ConList.csv"])


def test_zip_bomb(tmp_path: Path) -> None:
    padding = "<!--" + "x" * (40 * 1024 * 1024) + "-->"
    path = write_xlsx(tmp_path / "bomb.xlsx", [HEADER, *ROWS], padding)
    assert path.stat().st_size < 200_000
    with pytest.raises(HostileInputError, match="zip bomb"):
        au_dfat.parse([path])


def test_many_entries_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sanctrace.sources import _zip

    path = write_xlsx(tmp_path / "small.xlsx", [HEADER, *ROWS])
    monkeypatch.setattr(_zip, "MAX_ENTRIES", 3)
    with pytest.raises(HostileInputError, match="entries"):
        au_dfat.parse([path])


@pytest.fixture(scope="module")
def small_xlsx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("xlsx") / "small.xlsx"
    return write_xlsx(path, [HEADER, *ROWS]).read_bytes()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_xlsx_raises_only_typed_errors(
    small_xlsx: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    mutated = flip_bytes(data, small_xlsx, least=1, most=6)
    cut = data.draw(st.integers(1, len(mutated)))
    path = tmp_path / "mutated.xlsx"
    path.write_bytes(bytes(mutated[:cut]))
    parse_file_raises_only_typed_errors(au_dfat, path, skip_bad_rows=data.draw(st.booleans()))
