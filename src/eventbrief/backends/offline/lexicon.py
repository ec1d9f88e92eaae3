"""Word lists of English news writing: titles, organisation heads, function words.

General vocabulary only; nothing here names a particular story, person or outlet.
"""

from __future__ import annotations

import re

# Heads of a title phrase: the word a name follows ("Foreign Minister X", "leader X").
TITLE_HEADS = frozenset(
    {
        "president",
        "minister",
        "secretary",
        "secretary-general",
        "director-general",
        "under-secretary",
        "chancellor",
        "king",
        "queen",
        "prince",
        "princess",
        "emperor",
        "premier",
        "chairman",
        "chairwoman",
        "chair",
        "leader",
        "chief",
        "commander",
        "ambassador",
        "envoy",
        "senator",
        "sen.",
        "governor",
        "gov.",
        "mayor",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "director",
        "head",
        "general",
        "gen.",
        "admiral",
        "adm.",
        "colonel",
        "col.",
        "marshal",
        "captain",
        "pope",
        "cardinal",
        "sheikh",
        "emir",
        "adviser",
        "advisor",
        "counsellor",
        "counselor",
        "representative",
        "rep.",
        "speaker",
        "official",
        "officer",
        "deputy",
        "vice-president",
        "dictator",
        "counterpart",
        "rapporteur",
        "commissioner",
        "ombudsman",
        "negotiator",
        "mediator",
        "coordinator",
        "lawmaker",
        "legislator",
        "justice",
        "judge",
        "prosecutor",
        "ceo",
        "founder",
        "executive",
        "chairperson",
        "mr.",
        "mrs.",
        "ms.",
        "mr",
        "mrs",
        "ms",
        "dr.",
        "dr",
        "prof.",
        "sir",
        "lord",
        "dame",
    }
)
HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "dr.", "dr", "prof.", "sir"})

# Last words of organisation names ("… Agency", "… Council", "… Ministry").
ORG_HEADS = frozenset(
    {
        "agency",
        "council",
        "ministry",
        "committee",
        "team",
        "office",
        "union",
        "organization",
        "organisation",
        "party",
        "army",
        "navy",
        "forces",
        "corps",
        "bank",
        "fund",
        "court",
        "parliament",
        "assembly",
        "congress",
        "senate",
        "commission",
        "department",
        "institute",
        "university",
        "group",
        "corporation",
        "company",
        "association",
        "alliance",
        "front",
        "service",
        "services",
        "bureau",
        "authority",
        "board",
        "command",
        "guard",
        "police",
        "network",
        "news",
        "times",
        "post",
        "press",
        "foundation",
        "center",
        "centre",
        "programme",
        "mission",
        "cabinet",
        "government",
        "administration",
        "secretariat",
        "directorate",
        "staff",
        "intelligence",
        "media",
        "television",
        "radio",
        "broadcasting",
        "channel",
        "nations",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "plc",
        "co.",
        "corp.",
        "journal",
        "herald",
        "tribune",
        "gazette",
        "daily",
        "observer",
        "guardian",
        "telegraph",
        "monitor",
        "institution",
        "coalition",
        "federation",
        "league",
        "movement",
        "brigade",
        "division",
        "regiment",
        "battalion",
        "academy",
        "club",
        "watch",
        "observatory",
        "kremlin",
        "pentagon",
        "panel",
        "tribunal",
        "program",
        "ministries",
        "holdings",
        "technologies",
        "systems",
        "motors",
        "airlines",
        "airways",
        "energy",
        "pharmaceuticals",
        "semiconductor",
        "semiconductors",
        "electronics",
        "industries",
        "labs",
        "partners",
        "capital",
        "securities",
        "insurance",
        "telecom",
        "communications",
    }
)
# Institutions named by one well-known word or phrase in news (general, world-wide).
KNOWN_ORGS = {
    "UN": "United Nations",
    "U.N.": "United Nations",
    "United Nations": "United Nations",
    "EU": "European Union",
    "European Union": "European Union",
    "NATO": "NATO",
    "IAEA": "International Atomic Energy Agency",
    "WHO": "World Health Organization",
    "IMF": "International Monetary Fund",
    "ASEAN": "ASEAN",
    "OPEC": "OPEC",
    "G7": "G7",
    "G20": "G20",
    "African Union": "African Union",
    "White House": "White House",
    "Kremlin": "Kremlin",
    "Pentagon": "Pentagon",
    "Downing Street": "Downing Street",
    "Red Cross": "Red Cross",
    "World Bank": "World Bank",
    "Interpol": "Interpol",
}
# Region words that make the capitalised word before them a place ("the X region").
PLACE_HEADS = frozenset(
    {
        "region",
        "province",
        "oblast",
        "state",
        "county",
        "district",
        "city",
        "border",
        "peninsula",
        "island",
        "islands",
        "sea",
        "strait",
        "gulf",
        "river",
        "valley",
        "mountains",
        "coast",
        "front",
        "territory",
        "prefecture",
        "governorate",
        "port",
        "base",
        "airport",
        "capital",
        "facility",
        "site",
        "plant",
        "camp",
    }
)


# Words that are capitalised only because they open a sentence, or that are never names.
def _words(text: str) -> list[str]:
    return text.split()


NON_NAMES = frozenset(
    w.lower()
    for w in _words(
        """
a an the this that these those it its he she his her they their them we our us you your i
in on at to for from by with of as and or but nor so yet if when while after before since
until during despite although though however moreover additionally also meanwhile earlier later
previously then now today yesterday tomorrow there here what which who whom whose where why how
both all each every many most some several such other another more less no not
according reports report officials sources analysts experts observers critics
summary highlights update updated breaking exclusive analysis
opinion editorial original source read more related photo image video watch listen
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
last next first second third one two three four five six seven eight nine ten
mr mrs ms dr
previous recent new former latest current future possible potential growing ongoing
"""
    )
)

# Phrases that make a noun trigger background rather than a happening.
BACKGROUND_BEFORE = re.compile(
    r"\b(?:amid|amidst|in exchange for|in light of|in the face of|in the context of|such as|"
    r"in return for|against the backdrop of|particularly in|related to|associated with|"
    r"concerning|regarding|about|over|surrounding|issues of|questions of|under|including|"
    r"implement|implementing|implementation of|execution of|enforcement of|aligns with)\b[^,.;]*$",
    re.IGNORECASE,
)
