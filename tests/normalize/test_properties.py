"""Nothing a list (or a user) can type makes normalization raise or hang."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrace.normalize import fold, latinize, name_forms, phonetic_key, strip_legal_forms

_SCHEMA = st.sampled_from([None, "Person", "Company", "Organization", "Vessel", "LegalEntity"])
_SCRIPTS = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ ,.-'\"«»()/&0123456789")
        + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяІЇЄҐ")
        + list("华为技术有限公司金正恩习近平山田太郎株式会社")
        + list("김정은박지성주식회사")
        + list("やまだタロウ")
        + list("محمدعليعبدالله")
        + list("משהדוד")
        + list("ΝικόλαοςΑλέξανδρος")
        + list("สมชาย")
        + ["\x00", "\u200b", "\u0301", "🙂", "\ud7a3", "\U00020000"]
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), schema=_SCHEMA)
def test_any_text(text: str, schema: str | None) -> None:
    assert isinstance(fold(text), str)
    for form in latinize(text):
        assert form.isascii()
    for form in name_forms(text, schema):
        assert form.tokens
        assert len(form.phonetic) == len(form.tokens)
        assert all(t.isascii() and t for t in form.tokens)
        assert all(k.isascii() for k in form.phonetic)


@settings(max_examples=300, deadline=None)
@given(text=_SCRIPTS, schema=_SCHEMA)
def test_mixed_scripts(text: str, schema: str | None) -> None:
    forms = name_forms(text, schema)
    assert len(forms) <= 8
    for form in forms:
        assert all(t.isascii() for t in form.tokens)
        assert len(form.acronyms) <= 24


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=40))
def test_phonetic_key_total(token: str) -> None:
    assert phonetic_key(token).isascii()


@settings(max_examples=200, deadline=None)
@given(tokens=st.lists(st.sampled_from(["co", "ltd", "ooo", "s", "a", "acme", "ao", "llc"])))
def test_strip_keeps_a_name(tokens: list[str]) -> None:
    kept, _ = strip_legal_forms(tokens)
    assert bool(kept) == bool(tokens)


def test_long_inputs_are_quick() -> None:
    for text in (
        "x" * 10_000,
        "Ivan Petrov " * 1000,
        "金正恩" * 3000,
        "Общество с ограниченной ответственностью " * 250,
        "\x00\x01\x02" * 3000,
        "🙂" * 10_000,
        "محمد " * 2000,
    ):
        start = time.perf_counter()
        name_forms(text)
        latinize(text[:2000])
        assert time.perf_counter() - start < 2.0
