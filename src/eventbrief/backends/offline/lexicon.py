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

# Event triggers of news writing → DESIGN.md event types. Each entry: (type, pattern, kind);
# kind "verb" asserts a happening, "noun" names one (filtered when only background).
_ARMS = (
    r"(?:arms|weapons?|weaponry|munitions?|ammunition|missiles?|artillery|shells|rockets|drones|"
    r"tanks|howitzers|rifles|guns|armou?red\s+vehicles|fighter\s+jets|warplanes|attack\s+"
    r"helicopters|helicopters|submarines|warships|frigates|launchers|interceptors|"
    r"air[\s-]+defen[cs]e\s+systems|patrol\s+(?:boats|vessels|ships|craft)|naval\s+vessels|"
    r"combat\s+aircraft)"
)
_TROOPS = (
    r"(?:troops|soldiers|forces|personnel|fighters|units|servicemen|military|instructors|"
    r"advisers|advisors|mercenaries|brigades?|battalions?|contingents?|peacekeepers|marines|"
    r"warships|naval\s+vessels)"
)
TRIGGERS: tuple[tuple[str, str, str], ...] = (
    ("visit", r"visit(?:ed|ing|s)?\b(?!\s+counts?)", "verb"),
    ("visit", r"arriv(?:e|es|ed|ing|al)\b", "verb"),
    ("visit", r"travel(?:s|led|ed|ling|ing)?\s+(?:to|back\s+to)\b", "verb"),
    ("visit", r"(?:flew|flies|fly|flying)\s+(?:to|into|back\s+to)\b", "verb"),
    ("visit", r"made\s+(?:his|her|their|its)\s+way\s+(?:back\s+)?to\b", "verb"),
    ("visit", r"return(?:s|ed|ing)?\s+to\b", "verb"),
    ("visit", r"(?:landed|touched\s+down)\s+in\b", "verb"),
    ("visit", r"(?:trip|journey|tour|state\s+visit)\b", "noun"),
    (
        "meeting",
        r"(?:met|meet|meets)\b(?!\s+(?:the\s+)?(?:criteria|requirements?|demands?|deadline|needs))",
        "verb",
    ),
    ("meeting", r"(?:held|hold|holds|holding)\s+talks\b", "verb"),
    (
        "meeting",
        r"(?:receiv(?:ed|es|ing)|host(?:ed|s|ing)|welcom(?:ed|es|ing))\s+(?:a\s+|the\s+)?"
        r"(?:visiting\s+)?(?:\w+\s+){0,2}?(?:delegation|envoy|counterpart|minister|president|"
        r"leader|premier|chancellor|secretary)\b",
        "verb",
    ),
    ("meeting", r"(?:spoke|talked|speaks)\s+(?:by\s+(?:tele)?phone\s+)?with\b", "verb"),
    ("meeting", r"(?:phone|telephone|video)\s+(?:call|conversation)\b", "noun"),
    ("meeting", r"conferr?(?:ed|ing|s)?\s+with\b", "verb"),
    ("meeting", r"(?:talks|discussions|negotiations|consultations)\b", "noun"),
    ("meeting", r"(?:meeting|summit|encounter)\b", "noun"),
    ("meeting", r"(?<!news\s)(?<!press\s)(?<!video\s)conference\b", "noun"),
    ("meeting", r"discuss(?:ed|es|ing)?\b", "verb"),
    ("agreement", r"sign(?:ed|s|ing)?\b", "verb"),
    ("agreement", r"ratif(?:y|ied|ies|ying)\b", "verb"),
    ("agreement", r"(?:agreed|agree)\s+(?:\S+\s+){0,3}?(?:to|on)\b", "verb"),
    ("agreement", r"(?:treaty|pact|accord|memorandum|agreements?|deal)\b", "noun"),
    ("military_deployment", r"deploy(?:ed|s|ing)?\b", "verb"),
    ("military_deployment", r"deployments?\b", "noun"),
    (
        "military_deployment",
        rf"(?:sent|send|sends|sending|dispatch(?:ed|es|ing)?)\s+(?:\S+\s+){{0,4}}?{_TROOPS}\b",
        "verb",
    ),
    ("military_deployment", r"(?:stationed|withdr[ae]w(?:n|al)?)\b", "verb"),
    (
        "military_deployment",
        rf"station(?:s|ing)?\s+(?:\S+\s+){{0,6}}?{_TROOPS}\b",
        "verb",
    ),
    (
        "military_deployment",
        rf"{_TROOPS}\s+(?:\S+\s+){{0,2}}?(?:operating|stationed|deployed|based)\s+(?:in|inside|on)\b",
        "verb",
    ),
    (
        "arms_transfer",
        rf"(?:suppl(?:y|ied|ies|ying)|provid(?:e|ed|es|ing)|deliver(?:ed|s|ing)?|ship(?:ped|s|ping)?|sen[dt]|sending|sold|sell(?:s|ing)?|transferr?(?:ed|ing|s)?)\s+(?:\S+\s+){{0,6}}?{_ARMS}\b",
        "verb",
    ),
    (
        "arms_transfer",
        r"(?:receiv(?:e|ed|es|ing)|acquir(?:e|ed|es|ing)|obtain(?:ed|s|ing)?|bought|import(?:ed|s|ing)?|"
        rf"purchas(?:e|ed|es|ing))\s+(?:\S+\s+){{0,4}}?{_ARMS}\b",
        "verb",
    ),
    ("arms_transfer", rf"{_ARMS}\s+(?:supplies|deliveries|shipments|transfers|sales)\b", "noun"),
    (
        "arms_transfer",
        r"arm(?:ed|ing)\s+(?:the\s+|either\s+|both\s+)?(?:\S+\s+){0,2}?(?:rebels|militants|"
        r"militias?|sides?|forces|army|groups?|fighters|insurgents)\b",
        "verb",
    ),
    (
        "arms_transfer",
        rf"{_ARMS}[^.;]{{0,40}}\b(?:have|has|had)\s+(?:also\s+)?been\s+(?:sent|supplied|delivered|shipped|transferred)\b",
        "verb",
    ),
    (
        "technology_transfer",
        r"(?:technolog(?:y|ies)|know-how|technical\s+(?:support|assistance|help|expertise))\b",
        "noun",
    ),
    (
        "technology_transfer",
        r"(?:engineers|technicians|specialists|experts|scientists)\s+(?:\S+\s+){0,4}?"
        r"(?:help(?:ed|s|ing)?|assist(?:ed|s|ing)?)\s+(?:\S+\s+){0,2}?(?:to\s+)?(?:build|develop|"
        r"construct|design|produce|install|upgrade|moderni[sz]e|set\s+up)\b",
        "verb",
    ),
    (
        "aid",
        r"(?:lent|loaned|disbursed|granted)\s+(?:\S+\s+){0,4}?"
        r"(?:[$€£¥]|loans?\b|credit\b|grants?\b)",
        "verb",
    ),
    (
        "aid",
        r"(?:economic|humanitarian|financial|civilian|food|medical|development|reconstruction|"
        r"budget|emergency|disaster|relief)\s+(?:aid|assistance|support|help|relief)\b",
        "noun",
    ),
    (
        "aid",
        r"(?:approv|pledg|promis|commit|offer|provid|allocat|earmark|extend|grant|donat)"
        r"(?:ed|es|e|ing|s)?\s+(?:\S+\s+){0,4}?(?:loans?\b|grants?\b|credit\s+lines?|"
        r"bailout|financing|funding|[$€£¥]\s?\d|\d[\d,.]*\s*(?:million|billion)?\s*"
        r"(?:euros|dollars|pounds|yen|yuan)\b)",
        "verb",
    ),
    (
        "aid",
        r"(?:(?:aid|relief|food|humanitarian)\s+(?:deliveries|shipments|convoys?|flights|"
        r"airdrops)|convoys?\s+(?:carrying|with|of|loaded\s+with)\s+(?:\S+\s+){0,4}?"
        r"(?:food|aid|medicine|medical\s+supplies|relief|wheat|grain|fuel))\b",
        "noun",
    ),
    (
        "aid",
        r"(?:pledged|provided|sent|delivered|gave|promised|distributed|donated|airlifted|flew)\s+"
        r"(?:\S+\s+){0,6}?(?:aid|food|medicines?|medical supplies|relief|supplies|vaccines|tents|"
        r"blankets|rescue\s+teams?|rescuers)\b",
        "verb",
    ),
    ("statement", r"(?:announc(?:ed|es|ing|ement)|declar(?:ed|es|ing|ation))\b", "verb"),
    ("statement", r"(?:issued|released|made)\s+(?:a|an)\s+statement\b", "verb"),
    (
        "statement",
        r"(?:vowed|pledged|warned|urged|welcomed|hailed|insisted|stressed|promised)\b",
        "verb",
    ),
    (
        "other",
        r"(?:(?:earthquake|quake|tremor|floods?|flooding|cyclone|typhoon|hurricane|storm|landslides?|"
        r"eruption|wildfires?|tsunami)\s+(?:\S+\s+){0,3}?(?:struck|hit|hits|strikes|killed|kills|"
        r"devastated|swept|ravaged|destroyed)|(?:struck|hit|devastated|ravaged)\s+by\s+(?:\S+\s+){0,3}?"
        r"(?:earthquake|quake|floods?|cyclone|typhoon|hurricane|storm|landslides?|eruption|wildfires?|"
        r"tsunami))\b",
        "verb",
    ),
    (
        "statement",
        r"(?:call(?:ed|s|ing)?\s+(?:on|for)|called\s+(?:it|them|this|that|the\s+\w+)\s+"
        r"(?=an?\b|[\"“]))",
        "verb",
    ),
    ("statement", r"(?:said|says|stated|told\s+\w+)\b", "verb"),
    ("criticism", r"critici[sz](?:ed|es|ing|e)\b|criticism\b", "verb"),
    ("criticism", r"(?:condemn|denounc|rebuk|slamm?|lambast)(?:ed|es|ing|s|e)?\b", "verb"),
    ("criticism", r"accus(?:ed|es|ing|e)\b|accusations?\b", "verb"),
    (
        "criticism",
        r"(?:rejected|dismissed|denounced|slammed|branded)\s+(?:the\s+)?(?:\S+\s+){0,3}?as\b",
        "verb",
    ),
    (
        "criticism",
        r"(?:reject(?:ed|s)?|dismiss(?:ed|es)?|disput(?:ed|es))\s+(?:the|these|those|its|their|his|her)\s+"
        r"(?:\S+\s+){0,2}?(?:report|findings|claims?|accusations?|allegations?|charges?|account)\b",
        "verb",
    ),
    (
        "report_release",
        r"(?:issued|released|published|unveiled|releasing|issuing|publishing)\s+(?:\S+\s+){0,3}?(?:report|study|findings|assessment)\b",
        "verb",
    ),
    (
        "report_release",
        r"(?:report|study|findings)\s+(?:was\s+|were\s+)?(?:issued|released|published)\b",
        "verb",
    ),
    (
        "report_release",
        r"(?:said|says|stated|found|warned|concluded|wrote|noted)\s+in\s+(?:a|an|its|their|the)\s+"
        r"(?:\S+\s+){0,3}?(?:report|study|assessment)\b",
        "verb",
    ),
    (
        "report_release",
        r"(?<![Aa]ccording to )(?<![Aa]ccording to the )(?<![Aa]ccording to a )"
        r"[A-Z][\w’'.-]+(?:['’]s)?\s+(?:[a-z-]+\s+){0,2}(?:report|study)\b(?!\s+(?:on|of)\b)",
        "noun",
    ),
    (
        "sanctions",
        r"(?:impos(?:ed|es|ing|e)|extend(?:ed|s|ing)?|lift(?:ed|s|ing)?|announc(?:ed|es)|slapp?(?:ed)?)\s+(?:\S+\s+){0,3}?sanctions\b",
        "verb",
    ),
    ("sanctions", r"sanctioned\b", "verb"),
    (
        "sanctions",
        r"(?:sanctions|penalties|embargo|asset\s+freezes?)\s+(?:\S+\s+){0,4}?(?:was|were|have\s+been|"
        r"has\s+been|had\s+been|will\s+be|would\s+be)\s+(?:imposed|extended|lifted|tightened|"
        r"expanded|announced|approved|adopted)\b",
        "verb",
    ),
    ("sanctions", r"(?:sanctions|embargo)\b", "noun"),
    ("armed_conflict", r"(?:fighting|fought|fight)\b", "verb"),
    (
        "armed_conflict",
        r"(?:exchang(?:ed|es|ing)|trad(?:ed|es|ing))\s+(?:heavy\s+|artillery\s+|gun|small[\s-]arms\s+)?"
        r"(?:fire|gunfire|shots|shelling)\b",
        "verb",
    ),
    (
        "armed_conflict",
        r"(?:shot\s+down|intercept(?:ed|s|ing)|bomb(?:ed|ing|ings)|shell(?:ed|s)|"
        r"air\s*strikes?|(?:drone|missile|rocket|artillery)\s+(?:strikes?|attacks?|barrages?)|"
        r"raid(?:ed|s)?|ambush(?:ed|es)?|targeted)\b",
        "verb",
    ),
    (
        "armed_conflict",
        r"(?:captur(?:ed|es|ing)|seiz(?:ed|es|ing)|took\s+control\s+of|overr?an|retook|"
        r"recaptur(?:ed|es|ing))\s+(?:the\s+)?(?:\S+\s+){0,2}?(?:town|city|village|airport|"
        r"base|region|territory|positions?|district|province|port|hill|bridge|outpost)\b",
        "verb",
    ),
    (
        "other",
        r"(?:seiz(?:ed|es|ing)|captur(?:ed|es|ing)|detain(?:ed|s|ing)|arrest(?:ed|s|ing)|"
        r"expell(?:ed|s|ing)|sworn\s+in|inaugurated|defaulted|looted|ransacked|"
        r"(?:denied|refused|barred)\s+(?:\S+\s+){0,2}?access|fled|were\s+displaced|"
        r"(?:has|have)\s+been\s+displaced)\b",
        "verb",
    ),
    (
        "sanctions",
        r"(?:blacklist(?:ed|s|ing)|froze\s+(?:the\s+)?(?:\S+\s+){0,2}?assets|asset\s+freezes?|"
        r"travel\s+bans?|(?:new|fresh|additional|further|sweeping)\s+sanctions)\b",
        "verb",
    ),
    ("agreement", r"(?:ceasefire|cease-fire|truce|memorandum\s+of\s+understanding)\b", "noun"),
    ("aid", r"donat(?:ed|es|ing)\b", "verb"),
    ("statement", r"claimed\s+responsibility\b", "verb"),
    ("armed_conflict", r"(?:fired\s+(?:\S+\s+){0,3}?(?:at|on|into)|opened\s+fire)\b", "verb"),
    (
        "armed_conflict",
        r"(?:killed|wounded|injured)(?:\s+or\s+(?:killed|wounded|injured|captured))?\s+"
        r"(?:in|during|near|on)\b",
        "verb",
    ),
    ("other", r"test-?fir(?:ed|es|ing|e)\b|(?:missile|rocket|nuclear)\s+(?:test|launch)\b", "verb"),
    (
        "other",
        r"launch(?:ed|es|ing)?\s+(?:of\s+)?(?:\S+\s+){0,4}?(?:missiles?|rockets?|satellites?)\b",
        "verb",
    ),
    (
        "other",
        r"(?:joint|military|naval|air|live-fire)\s+(?:military\s+)?(?:drills|exercises|"
        r"manoeuvres|maneuvers)\b",
        "noun",
    ),
    (
        "other",
        r"(?:resigned|was\s+dismissed|were\s+dismissed|was\s+arrested|were\s+arrested)\b",
        "verb",
    ),
    ("other", r"(?:vote|referendum|ballot)\b", "noun"),
    (
        "armed_conflict",
        r"participat\w*\s+in\s+(?:the\s+)?(?:\S+\s+){0,3}?(?:war|fighting|combat|battles?|"
        r"offensive|conflict)\b",
        "verb",
    ),
    (
        "armed_conflict",
        r"(?:combat|clash(?:es|ed)?|battl(?:e|es|ed|ing)|offensive|shelling|invasion|invaded)\b",
        "noun",
    ),
    ("armed_conflict", r"(?:attack(?:ed|s|ing)?|struck|strikes?\s+on)\b", "verb"),
)
# Phrases that make a noun trigger background rather than a happening.
BACKGROUND_BEFORE = re.compile(
    r"\b(?:amid|amidst|in exchange for|in light of|in the face of|in the context of|such as|"
    r"in return for|against the backdrop of|particularly in|related to|associated with|"
    r"concerning|regarding|about|over|surrounding|issues of|questions of|under|including|"
    r"implement|implementing|implementation of|execution of|enforcement of|aligns with)\b[^,.;]*$",
    re.IGNORECASE,
)
