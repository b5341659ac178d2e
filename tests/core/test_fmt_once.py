"""``geoplan.i18n.fmt`` formats each value once per process (issue 15): the cached answers
must equal babel's own formatting, whatever came before (``-0.0`` after ``0.0``, NaN)."""

from __future__ import annotations

import itertools

import pytest
from babel.numbers import format_decimal

from geoplan.i18n import fmt

LOCALES = {"en": "en_GB", "sv": "sv_SE", "da": "da_DK"}
VALUES = [0.0, -0.0, -0.4, 0.4, 1234.5, -1234.5, 1e9, float("nan"), float("inf"), 300, 0.5]


def _babel(x: float, lang: str, digits: int) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(float(x), digits), format=pattern, locale=LOCALES[lang])


@pytest.mark.parametrize("order", [VALUES, VALUES[::-1]])
def test_cached_format_equals_babel_in_any_order(order):
    for _ in range(2):  # the second pass answers from the cache
        for x, lang, digits in itertools.product(order, LOCALES, (0, 1, 2)):
            assert fmt(x, lang, digits) == _babel(x, lang, digits), (x, lang, digits)


def test_sign_of_zero_is_kept():
    assert [fmt(0.0), fmt(-0.0), fmt(0.0), fmt(-0.4)] == ["0", "-0", "0", "-0"]


def test_unknown_language_is_still_refused():
    from geoplan.errors import ConfigError

    fmt(1.0, "en")
    with pytest.raises(ConfigError, match="choose one of"):
        fmt(1.0, "de")
