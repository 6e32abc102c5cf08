"""Codes the 223-FZ documents (XML and the mobile-API JSON) write in several ways: currencies (letter code,
or only the ISO 4217 numeric code), countries (OKSM numeric codes, which are ISO 3166-1 numeric codes) and
what kind of person a supplier or participant is.
"""

from __future__ import annotations

from functools import lru_cache

# ISO 4217 numeric 810 is the pre-1998 rouble (RUR); early portal documents label it "Российский рубль"
# beside the letter code RUB, so a document that gives only 810 means the rouble it names.
_OLD_ROUBLE = "810"


@lru_cache(maxsize=64)
def currency_from_numeric(code: str) -> str | None:
    """ISO 4217 letter code for a numeric code (``"643"`` -> ``"RUB"``); None when there is none."""
    if code == _OLD_ROUBLE:
        return "RUB"
    import pycountry

    found = pycountry.currencies.get(numeric=code.zfill(3)) if code.isdigit() else None
    return found.alpha_3 if found else None


def currency_of(r: dict, name: str) -> str | None:
    """The currency of a ``currencyType`` read into ``r`` as ``name`` (``code``), ``name_letter``
    (``letterCode``) and ``name_digital`` (``digitalCode``): the letter code as written, else the ISO letter
    code of the numeric one, else the numeric code itself (so that it is seen, and flagged, not lost)."""
    code = r.get(name) or r.get(f"{name}_letter")
    if code:
        return code
    digital = r.get(f"{name}_digital")
    if digital:
        return currency_from_numeric(digital) or digital
    return None


def currency_paths(name: str, path: str) -> dict[str, str]:
    """The three spellings of a ``currencyType`` at ``path`` (for :func:`currency_of`)."""
    return {name: f"{path}/t:code", f"{name}_letter": f"{path}/t:letterCode",
            f"{name}_digital": f"{path}/t:digitalCode"}


@lru_cache(maxsize=256)
def country_from_oksm(code: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for an OKSM (= ISO 3166-1 numeric) code: ``"643"`` -> ``"RU"``."""
    if not code or not code.isdigit():
        return None
    import pycountry

    found = pycountry.countries.get(numeric=code.zfill(3))
    return found.alpha_2 if found else None


def entity_of(*, type_code: str | None = None, sole_trader: bool | None = None,
              self_employed: bool | None = None, foreign: bool | None = None) -> str | None:
    """``Organization.entity`` from what a 223-FZ document says about a supplier or participant.

    ``type_code`` is the schema's ``supplierType``: L (legal entity) or P (natural person; the schema has no
    separate code for sole traders, which are natural persons too). ``sole_trader`` is a contract's
    ``individual`` flag ("Признак Индивидуального предпринимателя"), ``self_employed`` its ``selfEmployed``
    (a natural person who is not a sole trader), ``foreign`` a ``nonResident`` flag or a ``nonResidentInfo``
    block. Nothing said: None, never a guess from the INN's length."""
    if foreign:
        return "foreign"
    if sole_trader:
        return "sole_trader"
    if self_employed:
        return "individual"
    if type_code == "L":
        return "legal_entity"
    if type_code == "P":
        return "individual"
    return None


def foreign_scheme(country: str | None) -> str:
    """``Organization.id_scheme`` of a foreign party's own tax number: ``"<country>-TIN"`` (``"TIN"`` when the
    country is not given), as for 44-FZ parties."""
    return f"{country}-TIN" if country else "TIN"
