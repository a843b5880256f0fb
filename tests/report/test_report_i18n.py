"""Languages and numbers: both catalogues complete, numbers written the local way."""

from __future__ import annotations

import locale
import math
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immiplan.errors import InputError
from immiplan.report import i18n
from immiplan.report.i18n import (
    HOW_TO_READ,
    INDICATORS,
    LANGUAGES,
    MESSAGES,
    MINUS,
    NBSP,
    NNBSP,
    category_label,
    check_language,
    d3_format_locale,
    default_language,
    format_money,
    format_number,
    format_percent,
    parse_number,
)

# -- numbers: examples


def test_french_numbers_use_narrow_no_break_spaces_and_a_comma() -> None:
    assert format_number(8_387_632, "fr") == f"8{NNBSP}387{NNBSP}632"
    assert format_percent(0.194, "fr") == f"19,4{NNBSP}%"
    assert format_number(1234.56, "fr", 1) == f"1{NNBSP}234,6"
    assert format_money(12_500, "fr") == f"12{NNBSP}500{NNBSP}$"
    assert format_money(123_456_789, "fr", 1, millions=True) == f"123,5{NNBSP}M$"


def test_english_numbers_use_commas_and_a_point() -> None:
    assert format_number(8_387_632, "en") == "8,387,632"
    assert format_percent(0.194, "en") == "19.4%"
    assert format_number(1234.56, "en", 1) == "1,234.6"
    assert format_money(12_500, "en") == "$12,500"
    assert format_money(123_456_789, "en", 1, millions=True) == "$123.5M"


def test_signs_use_a_true_minus_and_an_explicit_plus() -> None:
    assert format_number(-12_000, "en") == f"{MINUS}12,000"
    assert format_number(12_000, "fr", signed=True) == f"+12{NNBSP}000"
    assert format_percent(-0.231, "fr", 1, signed=True) == f"{MINUS}23,1{NNBSP}%"
    assert format_money(-2_500, "en", signed=True) == f"{MINUS}$2,500"


def test_a_number_that_rounds_to_zero_has_no_sign() -> None:
    assert format_number(-0.0001, "en", 2) == "0.00"
    assert format_number(0.4, "fr", signed=True) == "0"


def test_missing_and_non_finite_values_are_a_dash() -> None:
    for value in (None, math.nan, math.inf, -math.inf, "abc"):
        assert format_number(value, "fr") == "—"
        assert format_percent(value, "en") == "—"
        assert format_money(value, "en") == "—"


def test_large_integers_keep_every_digit() -> None:
    assert format_number(2**60, "en") == f"{2**60:,d}"


def test_parse_rejects_text_that_is_not_a_number() -> None:
    with pytest.raises(InputError):
        parse_number("douze", "fr")


def test_vega_writes_numbers_like_the_tables() -> None:
    fr = d3_format_locale("fr")
    assert (fr["decimal"], fr["thousands"], fr["percent"]) == (",", NNBSP, f"{NNBSP}%")
    en = d3_format_locale("en")
    assert (en["decimal"], en["thousands"], en["currency"]) == (".", ",", ["$", ""])


# -- numbers: properties

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(value=finite, digits=st.integers(0, 4), lang=st.sampled_from(LANGUAGES))
def test_format_never_raises_on_a_finite_float(value: float, digits: int, lang: str) -> None:
    assert format_number(value, lang, digits)
    assert format_percent(value, lang, digits)
    assert format_money(value, lang, digits)


@given(
    value=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    digits=st.integers(0, 4),
    lang=st.sampled_from(LANGUAGES),
    signed=st.booleans(),
)
def test_a_formatted_number_reads_back_as_the_rounded_number(
    value: float, digits: int, lang: str, signed: bool
) -> None:
    text = format_number(value, lang, digits, signed=signed)
    assert parse_number(text, lang) == float(f"{value:.{digits}f}")


@given(
    fraction=st.floats(min_value=-10, max_value=10, allow_nan=False),
    lang=st.sampled_from(LANGUAGES),
)
def test_a_formatted_percentage_reads_back(fraction: float, lang: str) -> None:
    text = format_percent(fraction, lang, 1)
    assert text.endswith("%")
    assert parse_number(text, lang) == float(f"{fraction * 100:.1f}")


@given(value=st.integers(-(10**12), 10**12), lang=st.sampled_from(LANGUAGES))
def test_money_reads_back(value: int, lang: str) -> None:
    assert parse_number(format_money(value, lang), lang) == value


# -- languages


@pytest.mark.parametrize(
    ("given_lang", "expected"),
    [("fr", "fr"), ("en", "en"), ("FR", "fr"), ("fr_CA", "fr"), ("en-US", "en"), (" en ", "en")],
)
def test_language_codes_are_normalised(given_lang: str, expected: str) -> None:
    assert check_language(given_lang) == expected


@pytest.mark.parametrize("bad", ["de", "", "french", "fr_CA_x", "e"])
def test_an_unknown_language_is_an_input_error_listing_the_allowed_ones(bad: str) -> None:
    with pytest.raises(InputError) as info:
        check_language(bad)
    assert "fr, en" in str(info.value)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "en_CA.UTF-8"}, "en"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "C", "LANG": "fr_CA.UTF-8"}, "en"),
        ({"LC_MESSAGES": "fr_BE", "LANG": "en_GB"}, "fr"),
        ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_CA"}, "fr"),
    ],
)
def test_default_language_follows_the_locale_variables(
    environ: dict[str, str], expected: str
) -> None:
    assert default_language(environ) == expected


def test_default_language_falls_back_to_python_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("fr_CA", "UTF-8"))
    assert default_language({}) == "fr"
    monkeypatch.setattr(locale, "getlocale", lambda *a: (None, None))
    assert default_language({}) == "en"


def test_default_language_reads_the_real_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_CA.UTF-8")
    assert default_language() == "fr"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert default_language() == "en"


# -- catalogues


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    for key, names in MESSAGES.items():
        assert set(names) == set(LANGUAGES), key
        assert all(names[lang].strip() for lang in LANGUAGES), key
        assert _placeholders(names["fr"]) == _placeholders(names["en"]), key


def test_how_to_read_is_complete_in_both_languages() -> None:
    assert len(HOW_TO_READ["fr"]) == len(HOW_TO_READ["en"]) >= 5
    for fr, en in zip(HOW_TO_READ["fr"], HOW_TO_READ["en"], strict=True):
        assert _placeholders(fr) == _placeholders(en)


def test_every_indicator_is_named_in_both_languages() -> None:
    for indicator in INDICATORS.values():
        for lang in LANGUAGES:
            assert indicator.label[lang].strip() and indicator.short[lang].strip()
        assert indicator.unit in {
            "persons",
            "persons_per_year",
            "share",
            "dollars_per_year",
            "years",
        }


def test_french_colons_and_guillemets_do_not_break_from_their_words() -> None:
    french = [names["fr"] for names in MESSAGES.values()] + HOW_TO_READ["fr"]
    for sentence in french:
        assert " :" not in sentence and "« " not in sentence and " »" not in sentence
    assert f"Francisation{NBSP}:" in MESSAGES["section.francization"]["fr"]


def test_category_codes_are_named_as_in_the_system_tree() -> None:
    from immiplan.system.categories import category_tree

    tree = category_tree()
    economic = tree.category("economic")
    # One source of names: the report says what data/system/categories.yaml says.
    assert category_label("economic.business", "en") == economic.sublabels["business"]["en"]
    assert category_label("economic.business", "en") == "Business people"
    assert category_label("refugees.protected_in_canada", "en") == (
        "Protected persons in Canada (asylum)"
    )
    assert category_label("caregivers+other_economic", "fr") == (
        "Aides familiaux et aides-soignants + Autres immigrants économiques"
    )
    assert category_label("something_new", "en") == "something_new"


def test_regime_names_come_from_the_system_regimes() -> None:
    from immiplan.report.i18n import REGIMES
    from immiplan.system.regimes import regimes

    assert {k: v["en"] for k, v in REGIMES.items()} == {
        k: r.label["en"] for k, r in regimes().items()
    }


def test_dates_in_words() -> None:
    assert i18n.format_date(2025, 7, 1, "fr") == "1er juillet 2025"
    assert i18n.format_date(2025, 11, 24, "en") == "24 November 2025"
