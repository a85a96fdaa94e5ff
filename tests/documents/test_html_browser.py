"""The HTML report in a real browser: headless Chromium draws the highlights (their colour is
in the screenshot) and keeps the marks in its DOM.

Chromium comes from Debian (scripts/test installs it). Without it the test skips on a
developer's machine and fails in CI, unless SANCTRACE_ALLOW_NO_BROWSER=1 lets it skip there too.
"""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

from browsers import chromium
from reportkit import finding

from sanctrace.documents.extract import Document
from sanctrace.documents.findings import DocumentReport, Finding
from sanctrace.documents.html_report import HIGHLIGHT, render_html

_TIMEOUT = 60


def headless(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )


def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the unfiltered pixel rows of an 8-bit RGB or RGBA,
    non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat = 8, bytearray()
    width = height = bpp = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        at += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    out = bytearray(stride * height)
    prior = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, prior, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prior[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = prior[i]
                c = prior[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + predictor) & 0xFF
        out[y * stride : (y + 1) * stride] = row
        prior = row
    return width, height, bpp, bytes(out)


def count_colour(path: Path, colour: str, tolerance: int = 4) -> int:
    """Pixels of the screenshot within ``tolerance`` of ``colour`` ("#rrggbb") per channel."""
    width, height, bpp, pixels = read_png(path)
    want = bytes.fromhex(colour.lstrip("#"))
    found = 0
    for at in range(0, width * height * bpp, bpp):
        if all(abs(pixels[at + c] - want[c]) <= tolerance for c in range(3)):
            found += 1
    return found


def report() -> DocumentReport:
    text = (
        "Payment advice no. 4471\n\n"
        "The bearings were shipped by IEMZ Kupol to a made-up firm, Bluewater Orchard "
        "Supplies, and invoiced through Almaz-Antey later that month.\n"
    )

    def found(written: str, entity: str, caption: str, score: float) -> Finding:
        start = text.index(written)
        return finding(
            text,
            start,
            start + len(written),
            id=entity,
            caption=caption,
            score=score,
            explanation={"candidate_name": caption},
        )

    return DocumentReport(
        Document(source="advice.txt", kind="text", text=text),
        [
            found("IEMZ Kupol", "us_ofac_sdn:46431", "IEMZ KUPOL", 0.92),
            found("Almaz-Antey", "us_ofac_sdn:9999", "ALMAZ-ANTEY", 0.97),
        ],
    )


def test_the_report_shows_its_highlights_in_a_browser(tmp_path: Path) -> None:
    browser = chromium()
    page = tmp_path / "report.html"
    page.write_text(
        render_html([report()], threshold=0.8, lists={"us_ofac_sdn": "2024-05-03"}, generated="x"),
        encoding="utf-8",
    )
    shot = tmp_path / "shot.png"
    proc = headless(
        browser,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1200,900",
        page.as_uri(),
    )
    assert shot.is_file(), proc.stderr[-2000:]
    width, height, _, _ = read_png(shot)
    assert (width, height) == (1200, 900)
    # Two highlighted words (about 2,000 pixels of the colour here), nothing else of it.
    assert count_colour(shot, HIGHLIGHT) > 800

    dom = headless(browser, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    marks = re.findall(r'<mark class="finding" id="(f-\d)" data-entity="([^"]+)"', dom.stdout)
    assert marks == [("f-1", "us_ofac_sdn:46431"), ("f-2", "us_ofac_sdn:9999")]
    assert '<a href="#entity-us_ofac_sdn:46431">IEMZ Kupol</a>' in dom.stdout
    assert 'id="entity-us_ofac_sdn:9999"' in dom.stdout
