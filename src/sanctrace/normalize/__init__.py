"""Name normalization for the matching engine: folding, romanisation, phonetic keys, legal forms.

``name_forms`` is the entry point: it turns a name as a list writes it into the forms that the
index stores and the scorer compares (see :class:`NameForm`).
"""

from sanctrace.normalize.forms import NameForm, name_forms
from sanctrace.normalize.legal_forms import LEGAL_FORMS, strip_legal_forms
from sanctrace.normalize.orgwords import acronym_of, canonical_token, is_patronymic, token_weight
from sanctrace.normalize.phonetic import phonetic_key
from sanctrace.normalize.text import dominant_script, fold
from sanctrace.normalize.translit import latinize

__all__ = [
    "LEGAL_FORMS",
    "NameForm",
    "acronym_of",
    "canonical_token",
    "dominant_script",
    "fold",
    "is_patronymic",
    "latinize",
    "name_forms",
    "phonetic_key",
    "strip_legal_forms",
    "token_weight",
]
