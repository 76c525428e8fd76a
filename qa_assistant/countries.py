"""The names of countries, so that "Which country …?" is known to be answered by one.

The 193 United Nations Member States as the reports write them ("Türkiye", "Viet Nam",
"the Russian Federation"), the two observer States and Kosovo, each with the short and
common forms a report or a user may use instead ("Turkey", "Vietnam", "Russia",
"Ivory Coast"). A name counts only as written with its capital ("Turkey", not "turkey";
"Chad", not "chad"); accents and the apostrophe's shape do not matter ("Cote d'Ivoire").
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["COUNTRIES", "PEOPLES", "countries_named", "other_country_forms"]

# Each country by the name the reports use, then its other forms. A form names a country
# wherever it stands as a word: "Korea" of "Republic of Korea", "Guinea" of "Guinea-Bissau"
# (whichever country it is, it is one).
COUNTRIES: dict[str, tuple[str, ...]] = {
    "Afghanistan": (),
    "Albania": (),
    "Algeria": (),
    "Andorra": (),
    "Angola": (),
    "Antigua and Barbuda": ("Antigua",),
    "Argentina": (),
    "Armenia": (),
    "Australia": (),
    "Austria": (),
    "Azerbaijan": (),
    "Bahamas": (),
    "Bahrain": (),
    "Bangladesh": (),
    "Barbados": (),
    "Belarus": (),
    "Belgium": (),
    "Belize": (),
    "Benin": (),
    "Bhutan": (),
    "Bolivia": (),  # "Bolivia (Plurinational State of)"
    "Bosnia and Herzegovina": ("Bosnia",),
    "Botswana": (),
    "Brazil": (),
    "Brunei Darussalam": ("Brunei",),
    "Bulgaria": (),
    "Burkina Faso": (),
    "Burundi": (),
    "Cabo Verde": ("Cape Verde",),
    "Cambodia": (),
    "Cameroon": (),
    "Canada": (),
    "Central African Republic": (),
    "Chad": (),
    "Chile": (),
    "China": (),
    "Colombia": (),
    "Comoros": (),
    "Congo": (),  # and "the Democratic Republic of the Congo"
    "Costa Rica": (),
    "Côte d'Ivoire": ("Ivory Coast",),
    "Croatia": (),
    "Cuba": (),
    "Cyprus": (),
    "Czechia": ("Czech Republic",),
    "Denmark": (),
    "Djibouti": (),
    "Dominica": (),
    "Dominican Republic": (),
    "Ecuador": (),
    "Egypt": (),
    "El Salvador": (),
    "Equatorial Guinea": (),
    "Eritrea": (),
    "Estonia": (),
    "Eswatini": ("Swaziland",),
    "Ethiopia": (),
    "Fiji": (),
    "Finland": (),
    "France": (),
    "Gabon": (),
    "Gambia": (),
    "Georgia": (),
    "Germany": (),
    "Ghana": (),
    "Greece": (),
    "Grenada": (),
    "Guatemala": (),
    "Guinea": (),
    "Guinea-Bissau": (),
    "Guyana": (),
    "Haiti": (),
    "Honduras": (),
    "Hungary": (),
    "Iceland": (),
    "India": (),
    "Indonesia": (),
    "Iran": (),  # "Iran (Islamic Republic of)"
    "Iraq": (),
    "Ireland": (),
    "Israel": (),
    "Italy": (),
    "Jamaica": (),
    "Japan": (),
    "Jordan": (),
    "Kazakhstan": (),
    "Kenya": (),
    "Kiribati": (),
    "Korea": ("Republic of Korea", "South Korea", "North Korea"),  # both, as a report may
    "Kuwait": (),
    "Kyrgyzstan": ("Kyrgyz Republic",),
    "Lao People's Democratic Republic": ("Laos",),
    "Latvia": (),
    "Lebanon": (),
    "Lesotho": (),
    "Liberia": (),
    "Libya": (),
    "Liechtenstein": (),
    "Lithuania": (),
    "Luxembourg": (),
    "Madagascar": (),
    "Malawi": (),
    "Malaysia": (),
    "Maldives": (),
    "Mali": (),
    "Malta": (),
    "Marshall Islands": (),
    "Mauritania": (),
    "Mauritius": (),
    "Mexico": (),
    "Micronesia": (),  # "Micronesia (Federated States of)"
    "Monaco": (),
    "Mongolia": (),
    "Montenegro": (),
    "Morocco": (),
    "Mozambique": (),
    "Myanmar": ("Burma",),
    "Namibia": (),
    "Nauru": (),
    "Nepal": (),
    "Netherlands": ("Holland",),  # "Netherlands (Kingdom of the)"
    "New Zealand": (),
    "Nicaragua": (),
    "Niger": (),
    "Nigeria": (),
    "North Macedonia": ("Macedonia",),
    "Norway": (),
    "Oman": (),
    "Pakistan": (),
    "Palau": (),
    "Panama": (),
    "Papua New Guinea": (),
    "Paraguay": (),
    "Peru": (),
    "Philippines": (),
    "Poland": (),
    "Portugal": (),
    "Qatar": (),
    "Republic of Moldova": ("Moldova",),
    "Romania": (),
    "Russian Federation": ("Russia",),
    "Rwanda": (),
    "Saint Kitts and Nevis": ("St. Kitts and Nevis", "St Kitts and Nevis"),
    "Saint Lucia": ("St. Lucia", "St Lucia"),
    "Saint Vincent and the Grenadines": ("St. Vincent and the Grenadines",),
    "Samoa": (),
    "San Marino": (),
    "Sao Tome and Principe": (),
    "Saudi Arabia": (),
    "Senegal": (),
    "Serbia": (),
    "Seychelles": (),
    "Sierra Leone": (),
    "Singapore": (),
    "Slovakia": ("Slovak Republic",),
    "Slovenia": (),
    "Solomon Islands": (),
    "Somalia": (),
    "South Africa": (),
    "South Sudan": (),
    "Spain": (),
    "Sri Lanka": (),
    "Sudan": (),
    "Suriname": (),
    "Sweden": (),
    "Switzerland": (),
    "Syrian Arab Republic": ("Syria",),
    "Tajikistan": (),
    "Thailand": (),
    "Timor-Leste": ("East Timor",),
    "Togo": (),
    "Tonga": (),
    "Trinidad and Tobago": (),
    "Tunisia": (),
    "Türkiye": ("Turkey",),
    "Turkmenistan": (),
    "Tuvalu": (),
    "Uganda": (),
    "Ukraine": (),
    "United Arab Emirates": ("UAE",),
    "United Kingdom": ("Great Britain", "Britain", "UK"),
    "United Republic of Tanzania": ("Tanzania",),
    "United States": ("United States of America", "USA", "US"),
    "Uruguay": (),
    "Uzbekistan": (),
    "Vanuatu": (),
    "Venezuela": (),  # "Venezuela (Bolivarian Republic of)"
    "Viet Nam": ("Vietnam",),
    "Yemen": (),
    "Zambia": (),
    "Zimbabwe": (),
    # observer States, and Kosovo, which the reports name as a place of its own
    "Holy See": ("Vatican",),
    "State of Palestine": ("Palestine",),
    "Kosovo": (),
}


def _fold(text: str) -> str:
    """Accents and curly apostrophes away: "Türkiye" is "Turkiye", "Côte d’Ivoire" is
    "Cote d'Ivoire"; one character stays one character, so positions are kept."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


# Each form, as a name and in capitals ("KOSOVO" on a cover), to the name the reports use.
_CANONICAL = {
    written: name
    for name, others in COUNTRIES.items()
    for form in (name, *others)
    for written in (_fold(form), _fold(form).upper())
}
# Longest first, so "Guinea-Bissau" is read before "Guinea".
_NAME = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(f) for f in sorted(_CANONICAL, key=len, reverse=True))
    + r")(?![\w$-])"  # "US$3.5 million" is a sum of money, not a country
)
# A people or an adjective by the first letters of its country's one-word name: "Afghan",
# "Ukrainian", "Kosovar" (not "Norwegian": the question's own country only, so a miss is
# harmless).
_KIN_LETTERS = 5
_KIN: dict[str, set[str]] = {}
for _form, _name in _CANONICAL.items():
    if re.fullmatch(r"[A-Z][a-z]{4,}", _form):
        _KIN.setdefault(_form.lower()[:_KIN_LETTERS], set()).add(_name)
_WORD = re.compile(r"[A-Z][a-z]{4,}")


# Peoples whose word does not start with their country's name, nor the name with the word
# (as "Afghan" and "Afghanistan" do, or "Haitian" and "Haiti"): "the Mexican state of
# Morelos" is in Mexico. A page that names the country shows the people; a search is not
# widened with the country (measured: it pulled other pages, README session 15).
PEOPLES: dict[str, str] = {
    "Argentine": "Argentina",
    "British": "United Kingdom",
    "Burkinabe": "Burkina Faso",
    "Burmese": "Myanmar",
    "Canadian": "Canada",
    "Chadian": "Chad",
    "Chinese": "China",
    "Cuban": "Cuba",
    "Cypriot": "Cyprus",
    "Danish": "Denmark",
    "Dutch": "Netherlands",
    "Emirati": "United Arab Emirates",
    "Fijian": "Fiji",
    "Filipino": "Philippines",
    "Finnish": "Finland",
    "French": "France",
    "Greek": "Greece",
    "Iranian": "Iran",
    "Iraqi": "Iraq",
    "Irish": "Ireland",
    "Italian": "Italy",
    "Ivorian": "Côte d'Ivoire",
    "Kosovar": "Kosovo",
    "Kosovan": "Kosovo",
    "Lebanese": "Lebanon",
    "Malagasy": "Madagascar",
    "Malian": "Mali",
    "Maltese": "Malta",
    "Mexican": "Mexico",
    "Montenegrin": "Montenegro",
    "Moroccan": "Morocco",
    "Mozambican": "Mozambique",
    "Norwegian": "Norway",
    "Omani": "Oman",
    "Peruvian": "Peru",
    "Polish": "Poland",
    "Portuguese": "Portugal",
    "Salvadoran": "El Salvador",
    "Spanish": "Spain",
    "Swedish": "Sweden",
    "Swiss": "Switzerland",
    "Thai": "Thailand",
    "Togolese": "Togo",
    "Turkish": "Türkiye",
    "Ukrainian": "Ukraine",
}


def countries_named(text: str, *, by_people: bool = False) -> set[str]:
    """The countries ``text`` names, by the name the reports use ("the Government of
    Türkiye" and "Turkey" both name "Türkiye"). With ``by_people``, also a country named by
    a word sharing the first five letters of its name ("the Afghan trust fund" names
    Afghanistan, "Ukrainian" Ukraine): a question's own country, which its answer must go
    beyond."""
    folded = _fold(text)
    named = {_CANONICAL[m.group()] for m in _NAME.finditer(folded)}
    if by_people:
        for word in _WORD.findall(folded):
            named |= _KIN.get(word.lower()[:_KIN_LETTERS], set())
    return named


def _holds(longer: str, shorter: str) -> bool:
    """Whether ``shorter`` stands in ``longer`` as a word or words (both folded)."""
    return re.search(rf"(?<![\w-]){re.escape(shorter)}(?![\w-])", longer) is not None


def other_country_forms(text: str) -> list[tuple[str, str]]:
    """(a country's form in ``text``, another form of it) for each form that a search for
    the first would miss: "Turkey" and "Türkiye", "Russia" and "Russian Federation",
    "Czechia" and "Czech Republic" (not "Moldova" and "Republic of Moldova": the one holds
    the other; not "Korea", which names two countries)."""
    pairs: list[tuple[str, str]] = []
    for match in _NAME.finditer(_fold(text)):
        name = _CANONICAL[match.group()]
        if name == "Korea":
            continue
        written = text[match.start() : match.end()]
        found = match.group().lower()
        if found != _fold(name).lower():
            others = [name]  # another form: the reports' name
        else:  # the reports' name: the other forms, "Britain" not beside "Great Britain"
            alternates = [_fold(form).lower() for form in COUNTRIES[name]]
            others = [
                form
                for form, other in zip(COUNTRIES[name], alternates, strict=True)
                if not form.isupper()  # "UK", "USA": the reports write the name out
                and not any(o != other and _holds(o, other) for o in alternates)
            ]
        for form in others:
            other = _fold(form).lower()
            if not (_holds(other, found) or _holds(found, other)) and (written, form) not in pairs:
                pairs.append((written, form))
    return pairs
