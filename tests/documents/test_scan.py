"""Finding listed parties in documents, on the real bundled lists: exact places, Cyrillic and
inflected names, names broken across lines or by markup, PDF pages, and the ordinary words and
bare surnames that must not raise a finding."""

from __future__ import annotations

import pytest
from pdfkit import make_pdf

from sanctrace.documents.extract import extract_bytes
from sanctrace.documents.findings import Finding
from sanctrace.documents.scan import Scanner

KUPOL = "us_ofac_sdn:46431"  # JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL
ALMAZ_ANTEY = "au_dfat_sanctions:3018"  # Almaz-Antey
ROSOBORONEXPORT = "au_dfat_sanctions:6313"  # Rosoboronexport
FOCUS = "us_ofac_sdn:37425"  # FOCUS COMPANY SARL (a.k.a. FOCUS COMPANY), Lebanon
YAMALGAZINVEST = "us_ofac_cons:19676"  # YAMALGAZINVEST
KHOTIMSKIY = "us_ofac_sdn:35979"  # KHOTIMSKIY, Sergey Vladimirovich
KKBC = "un_sc_sanctions:6908518"  # Korea Kwangson Banking Corporation (KKBC), North Korea
RAAD = "au_dfat_sanctions:288"  # RAAD (Real IRA), United Kingdom
AMROU = "us_ofac_sdn:7835"  # JARRAYA, Khalil (a.k.a. AMROU), Bosnia and Herzegovina
IZHORSKIYE = "us_ofac_cons:20305"  # IZHORSKIYE ZAVODY (Izhorskie Plant)


def found(findings: list[Finding], entity: str) -> list[Finding]:
    return [f for f in findings if f.id == entity]


def shown(findings: list[Finding]) -> list[tuple[str, str, str]]:
    """What a test that expects nothing shows when something is found."""
    return [(f.text, f.id, f.caption) for f in findings]


def test_a_name_is_found_at_its_exact_place(scanner: Scanner) -> None:
    text = "Shipping note.\n\nThe bearings were sold to IEMZ Kupol last spring and paid in May."
    [finding] = found(scanner.scan_text(text), KUPOL)
    assert text[finding.start : finding.end] == finding.text == "IEMZ Kupol"
    assert finding.start == text.index("IEMZ")
    assert finding.caption == "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"
    assert finding.score >= scanner.config.threshold


def test_a_cyrillic_name_is_found_and_so_is_its_inflected_form(scanner: Scanner) -> None:
    text = "Концерн Алмаз-Антей поставил системы. Акции Алмаз-Антея выросли."
    findings = found(scanner.scan_text(text), ALMAZ_ANTEY)
    # the first with its generic word: the list has "Concern Almaz-Antey" too
    assert [f.text for f in findings] == ["Концерн Алмаз-Антей", "Алмаз-Антея"]
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_a_name_hyphenated_across_a_line_break_is_found_whole(scanner: Scanner) -> None:
    text = "The contracts with Rosoboron-\nexport were signed in Moscow."
    [finding] = found(scanner.scan_text(text), ROSOBORONEXPORT)
    assert text[finding.start : finding.end] == "Rosoboron-\nexport"


@pytest.mark.parametrize(
    ("html", "written", "entity"),
    [
        ("<p>Deliveries to <b>IEMZ</b> <i>Kupol</i> resumed.</p>", "IEMZ Kupol", KUPOL),
        (
            "<p>Deliveries to Rosoboron<span class='x'>export</span> resumed.</p>",
            "Rosoboronexport",
            ROSOBORONEXPORT,
        ),
    ],
)
def test_a_name_split_by_inline_markup_is_found_in_a_web_page(
    scanner: Scanner, html: str, written: str, entity: str
) -> None:
    page = f"<!DOCTYPE html><html><head><title>Suppliers</title></head><body>{html}</body></html>"
    document = extract_bytes(page.encode(), source="suppliers.html")
    [finding] = found(scanner.scan(document).findings, entity)
    assert document.text[finding.start : finding.end] == finding.text == written


def test_a_finding_in_a_pdf_carries_its_page(scanner: Scanner) -> None:
    pdf = make_pdf(
        [
            ["Annual supplier review", "Nothing of note on this page."],
            ["Suppliers", "The bearings were sold to IEMZ Kupol last spring."],
        ],
        compress=True,
    )
    document = extract_bytes(pdf, source="review.pdf")
    [finding] = found(scanner.scan(document).findings, KUPOL)
    assert finding.page == 2
    assert document.text[finding.start : finding.end] == "IEMZ Kupol"


def test_a_one_word_name_needs_corroboration(scanner: Scanner) -> None:
    assert shown(scanner.scan_text("The FOCUS of this report is on growth in the region.")) == []
    assert shown(scanner.scan_text("Our focus this year was Focus and what it sells.")) == []
    text = "The payments went to Focus SARL, a trading firm."
    [finding] = found(scanner.scan_text(text), FOCUS)
    assert finding.text == "Focus SARL"  # the name as written, with its legal form
    assert "SARL" in finding.explanation["corroboration"]


def test_a_legal_form_that_ends_the_sentence_before_corroborates_nothing(
    scanner: Scanner,
) -> None:
    """ "Blue" and "Success" are listed names of one word; a sentence ending in "LLC." before
    one of them does not put a legal form beside it."""
    text = "Invoices went to Roberts LLC. Blue skies and Success were the themes of the day."
    assert shown(scanner.scan_text(text)) == []
    [finding] = found(scanner.scan_text("Invoices went to Focus SARL. Then nothing."), FOCUS)
    assert "SARL" in finding.explanation["corroboration"]


def test_ordinary_prose_with_capitalised_words_raises_nothing(scanner: Scanner) -> None:
    text = (
        "On Monday, September 12, the Board of Directors met at the Grand Hotel in London. "
        "The Chairman, Mr. Green, said the Company had a strong year: sales in Europe, Asia "
        "and the United States grew by 8 percent. The General Manager thanked the "
        "International Sales team and Customer Service. The Annual General Meeting will be "
        "held in June in New York, and the Report will be published on the website."
    )
    assert shown(scanner.scan_text(text)) == []


def test_a_person_named_by_surname_only_is_not_found(scanner: Scanner) -> None:
    # SHEVCHENKO, Andrei Anatolyevich; PRIGOZHIN, Yevgeniy Viktorovich are listed
    text = "Mr. Shevchenko said the talks went well. Prigozhin was not there."
    assert shown(scanner.scan_text(text)) == []


def test_the_context_of_a_finding_is_its_sentence(scanner: Scanner) -> None:
    text = (
        "The first sentence says nothing. The bearings were sold to IEMZ Kupol last spring. "
        "Another sentence follows."
    )
    [finding] = found(scanner.scan_text(text), KUPOL)
    assert finding.context == "The bearings were sold to IEMZ Kupol last spring."


@pytest.mark.parametrize(
    ("text", "written", "entity"),
    [
        (
            "Among the customers is Iamalgazinvest, which ordered 157 units.",
            "Iamalgazinvest",
            YAMALGAZINVEST,
        ),
        (
            "The consignment was shipped to Sergei Vladimirovich Khotimskii on May 2.",
            "Sergei Vladimirovich Khotimskii",
            KHOTIMSKIY,
        ),
    ],
)
def test_a_russian_name_in_the_passport_spelling_is_found(
    scanner: Scanner, text: str, written: str, entity: str
) -> None:
    # listed as BGN/PCGN writes it (YAMALGAZINVEST, KHOTIMSKIY Sergey); passports write я, й
    # as ia, i
    [finding] = found(scanner.scan_text(text), entity)
    assert finding.text == written


@pytest.mark.parametrize(
    ("text", "written", "entity", "country"),
    [
        (
            "Our agent met representatives of KKBC of North Korea in June.",
            "KKBC",
            KKBC,
            "North Korea",
        ),
        ("RAAD of United Kingdom signed the framework agreement.", "RAAD", RAAD, "United Kingdom"),
        (
            "The consignment was shipped to AMROU of Bosnia and Herzegovina in October.",
            "AMROU",
            AMROU,
            "Bosnia and Herzegovina",
        ),
    ],
)
def test_a_country_of_several_words_corroborates_a_one_word_name(
    scanner: Scanner, text: str, written: str, entity: str, country: str
) -> None:
    [finding] = found(scanner.scan_text(text), entity)
    assert finding.text == written
    assert finding.explanation["corroboration"].endswith(country)
    alone = text.replace(f" of {country}", "")
    assert found(scanner.scan_text(alone), entity) == []


def test_a_name_with_its_generic_word_in_the_listed_language_is_found(scanner: Scanner) -> None:
    # listed as IZHORSKIYE ZAVODY, indexed with its generic word in English (izhorskiye plant)
    text = "Izhorskie Zavody signed the framework agreement last year."
    [finding] = found(scanner.scan_text(text), IZHORSKIYE)
    assert finding.text == "Izhorskie Zavody"


def test_a_name_whose_list_joins_two_words_is_found_in_any_word_order(scanner: Scanner) -> None:
    # listed as "Murad, Abdul Hakim Hasim": the lists join ABDUL HAKIM into one word
    text = "Payments to Abdul Hakim Hasim Murad were routed through a bank in Sawyerview."
    [finding] = found(scanner.scan_text(text), "au_dfat_sanctions:439")
    assert finding.text == "Abdul Hakim Hasim Murad"


def test_kira_is_no_kirill(scanner: Scanner) -> None:
    """A woman's name beside a listed man's surname in its feminine form names nobody listed."""
    text = "«Условия приемлемы», — сказала Кира Артемовна Комарова."
    assert [f for f in scanner.scan_text(text) if f.schema == "Person"] == []


def test_a_russian_organisation_with_its_name_in_lower_case_words_is_found(
    scanner: Scanner,
) -> None:
    """Russian capitalises only the first word of an organisation's name: the lower-case words
    (бюджетное учреждение, музей) are words of the name all the same."""
    name = "Государственное бюджетное учреждение Республики Крым Центральный музей Тавриды"
    [finding] = found(
        scanner.scan_text(f"Договор подписало {name}."), "ca_dfatd_sema_sanctions:ukraine-part-2-45"
    )
    assert finding.text == name


def test_a_family_name_made_of_a_listed_word_is_not_that_word_inflected(scanner: Scanner) -> None:
    """Соболев is a family name made of Соболь (Sobol, a listed name), not one of its cases."""
    text = "Счёт № 81039/6 выставлен ООО «Копылов Соболев». Оплата прошла через банк."
    assert [f.text for f in scanner.scan_text(text) if "Соболев" in f.text] == []


def test_a_possessive_is_the_name_and_a_plural_is_not(scanner: Scanner) -> None:
    # ... but for the plurals the lists keep in the singular (RG HOLDINGS LTD: holding)
    text = "Invoices went to Rg Holdings Ltd last year."
    [finding] = found(scanner.scan_text(text), "us_ofac_sdn:44210")
    assert finding.text == "Rg Holdings Ltd"
    [finding] = found(scanner.scan_text("Rosoboronexport's deliveries rose."), ROSOBORONEXPORT)
    assert finding.text == "Rosoboronexport's"
    assert (
        found(scanner.scan_text("Two Rosoboronexports would be one too many."), ROSOBORONEXPORT)
        == []
    )
