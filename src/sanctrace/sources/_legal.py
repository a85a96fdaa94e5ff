"""Whether a listed party's name marks it as a company.

Most lists only say "entity"; a legal form in the name (LLC, JSC, OOO, S.A., GmbH, ...) or a
business word (bank, trading, holdings) is the hint that the party is a Company rather than an
Organization. Every parser asks this one test, which holds the forms any of them recognised, so a
name is judged alike whichever list it comes from.

Words of a trade (industries, shipping, investments) are a weaker hint: the OFAC, UN and EU lists
name state bodies with them ("Defence Industries Organisation", "Presidency of Defense
Industries"), so only the parsers of the other lists count them.
"""

from __future__ import annotations

import re

#: Legal forms and business words, matched in any case.
_LEGAL_WORDS = (
    # English and international forms
    r"l\.?l\.?c|fz-llc|l\.?l\.?p|ltd\.?|ltda|limited|limitada|inc\.?|incorporated",
    r"corp\.?|corporation|co\.?|company|companies|plc|p\.l\.c|lp|jv|pte\.?|pty\.?|bhd|sdn",
    # Continental European and Latin American forms
    r"gmbh|ag|kg|anstalt|s\.?a|s\.a\.|s\.?a\.?s|s\.?a\.?c|s\.?a\.?r\.?l\.?|sarl|s\.?r\.?l\.?",
    r"s\.l\.?|s\.?p\.?a\.?|spa|b\.?v\.?|n\.?v\.?|c\.?a|e\.?i\.?r\.?l|lda|s\. de r\.l",
    r"s\.p\.r\. de r\.l|kft|sp\. z o\.o\.?|d\.o\.o\.?|doo|ood|eood|a\.s\.?|a\.ş|anonim sirketi|ou",
    # Gulf and Middle East forms
    r"fze|fzco|fzc|dmcc|jlt|saoc|sal",
    # Russian and Ukrainian forms, transliterated and in Cyrillic
    r"jsc|pjsc|ojsc|cjsc|ojs?c|joint[- ]stock|oao|zao|ooo|pao|ao|too|obshchestvo|aktsionernoe",
    r"aktsionerne|tovarystvo|kompaniya|ооо|оао|зао|пао|ао|тов|зат|прат|фгуп|гуп|общество|компания",
    # Business words
    r"bank|banking|banque|banco|банк|trading|holdings?",
)
#: Words of a trade, which state bodies carry too.
_TRADE_WORDS = r"enterprises?|industries|partnership|shipping|airlines?|petroleum"
#: Short forms that are ordinary words in lower case ("as"), matched only in capitals.
_UPPER_ONLY = r"AB|OY|AS"

_LEGAL_FORM = re.compile(
    rf"(?<!\w)(?:{'|'.join(_LEGAL_WORDS)}|(?-i:{_UPPER_ONLY}))(?!\w)", re.IGNORECASE
)
_TRADE_WORD = re.compile(rf"(?<!\w)(?:{_TRADE_WORDS})(?!\w)", re.IGNORECASE)


def looks_like_company(name: str | None, *, trade_words: bool = False) -> bool:
    """True when a name carries a legal form (LLC, JSC, Co., Ltd., ...) or a business word;
    with ``trade_words`` also when it names a trade (industries, shipping, ...)."""
    if not name:
        return False
    return bool(_LEGAL_FORM.search(name) or (trade_words and _TRADE_WORD.search(name)))


def org_schema(name: str | None) -> str:
    """Company when the name carries a legal form, business or trade word, else Organization."""
    return "Company" if looks_like_company(name, trade_words=True) else "Organization"
