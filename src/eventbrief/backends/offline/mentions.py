"""Event mentions in one sentence: a trigger word and the facts stated around it.

A mention is one trigger (GUIDELINES §2 types, from the lexicon) with the participants, place,
date, status, numbers and credit its sentence gives; mentions of one sentence that tell the same
happening fold together (talks on a trip fold into the visit, §1), and one event stated to
happen during another takes its date and place (§4–§5).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from eventbrief.backends.offline import places
from eventbrief.backends.offline.attribution import Credit, find_credits
from eventbrief.backends.offline.document import Document
from eventbrief.backends.offline.lemmas import lemma
from eventbrief.backends.offline.lexicon import TITLE_HEADS
from eventbrief.backends.offline.names import EntityTable, NameMention
from eventbrief.backends.offline.quantities import find_quantities
from eventbrief.backends.offline.rules import trigger_rules
from eventbrief.backends.offline.sentences import DATELINE, Sentence
from eventbrief.backends.offline.status import sentence_cue_of, status_of
from eventbrief.backends.offline.trigger_scan import scan_triggers
from eventbrief.backends.offline.vetoes import Veto, veto_rules
from eventbrief.event_types import types_in
from eventbrief.models import EventType, Quantity, Status
from eventbrief.timex import TimexMatch, find_dates, number_value

_CLAUSE_BREAK = re.compile(
    r"(?:;\s+|,\s+(?=[a-z]+ing\b)|,\s+(?=(?:which|who|while|whereas|although|though|but|and|as|"
    r"where|when|in exchange|"
    r"highlighting|particularly|especially|leading|including|amid|despite|after|before|"
    r"following)\b)|"
    r"\s+(?=(?:while|whereas|although|though|but|where|after|following)\s)|,\s+and\s+)"
)
_PRIOR = re.compile(
    r"\b(?:previous|earlier|prior|last|former|past|preceding)\s+(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
_ORDERER = re.compile(
    r"\b(?:(?:directives?|orders?|instructions?|behalf|designated|initiated|ordered|presence)\s+"
    r"(?:\w+\s+){0,5}|(?:sent|dispatched|witnessed|attended)\s+by\s+(?:\w+\s+){0,3})$",
    re.IGNORECASE,
)
_FORCES_AFTER = re.compile(
    r"^\s+(?:(?:\w+\s+)?(?:boats?|vessels?|ships?|planes?|aircraft|positions|bases?|embassy|"
    r"outposts?)|panel|agency|experts|team|mission|inspectors|monitors|investigators|body|"
    r"engineers|technicians|specialists|advisers|advisors|instructors|firms|companies|"
    r"manufacturers|suppliers|contractors|exporters|"
    r"troops|soldiers|forces|army|military|units|personnel|fighters|servicemen|front|"
    r"side|government|authorities|leadership|operations|efforts|war\s+effort|coast\s+guard|"
    r"navy|vessels|ships|warships|jets|aircraft|drones|militia|police|border\s+guards)\b"
)
_GAP = re.compile(
    r"(?P<text>(?P<hedge>\b(?:just|merely|only|less than|more than|about|around|nearly|some|"
    r"roughly|almost|over|barely)\s+)?\b(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve)\s+(?P<unit>days?|weeks?|months?|years?)\s+(?:after|since|following))\b",
    re.IGNORECASE,
)
_DETAIL_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|apparently|likely)\s+(?:centered|centred|focused|focussed|"
    r"covered|included|involved|touched|dealt|revolved|concentrated|addressed)\b",
    re.IGNORECASE,
)
_BARE_REFERENCE = re.compile(
    r"^\s*[\"“‘']?(?:the|this|that|these|those|his|her|its|their)\s+(?:[a-z-]+\s+)?$",
    re.IGNORECASE,
)
_ORDINAL_BEFORE = re.compile(
    r"\b(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\s+"
    r"(?:[a-z-]+\s+)?$",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"['’]s?\s+")
_COORDINATED = re.compile(r"\s+(?:and|or)\s+[A-Z][\w’'-]+(?=\s)")
_SAID_WORD = re.compile(r"(?:said|says|stated|told)\b(?!\s+to\b)")
_QUOTED = re.compile(r"[\"“][^\"”]{3,}[\"”]")


def quotations(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """The quotations that reach into the sentence, found in its paragraph: a quotation of
    several sentences ('"If the weather turns, we will be fighting. We are ready," he said.')
    covers the ones it opens and closes outside. The search stops _QUOTATION_REACH characters
    either side, so a text of one endless line stays linear."""
    lo = max(text.rfind("\n", 0, sentence.start) + 1, sentence.start - _QUOTATION_REACH)
    hi = text.find("\n", sentence.end)
    hi = min(len(text) if hi < 0 else hi, sentence.end + _QUOTATION_REACH)
    return [
        (q.start(), q.end())
        for q in _QUOTED.finditer(text, lo, hi)
        if q.start() < sentence.end and q.end() > sentence.start
    ]


_QUOTATION_REACH = 3000


_PAST_VERB = re.compile(
    r"^(?:\w+ed|met|sent|fought|sold|gave|flew|struck|withdrew|made|signed)\b", re.IGNORECASE
)
_SAID_BEFORE = re.compile(
    r"\b(?:said|says|told\s+\w+|stated|reported|confirmed|added)\s+(?:late\s+|early\s+)?$"
)
_ANCHOR_AFTER = re.compile(r"\s+(?:anniversary|deadline|summit|talks|meeting|visit|elections?)\b")
_CONTAINER = re.compile(
    r"\b(?:during|in the course of|at|on the sidelines of)\s+(?:the\s+|that\s+|this\s+|his\s+|"
    r"her\s+|their\s+|an?\s+|[A-Z][\w’'-]+['’]s\s+)?(?:[\w-]+\s+){0,2}$"
)
_PRIOR_SENTENCE = re.compile(
    r"^(?:Previously|Earlier|In the past|Before that|Prior to that|Last year|In \d{4})\b"
)
_DISTINCT = re.compile(
    r"\b(?:more|additional|fresh|extra|another|further|new|separate|similar)\s+(?:\S+\s+)?"
    r"(?:troops|soldiers|forces|weapons|arms|missiles|shells|aid|sanctions|attacks?|strikes?|"
    r"visits?|trips?|meetings?|round|agreements?|deals?|reports?|statements?)\b",
    re.IGNORECASE,
)
_DURING_STAY = re.compile(
    r"\bduring\s+(?:his|her|their|the|this)\s+(?:stay|visit|trip|time)\b", re.IGNORECASE
)
_RELATIVE_OPENER = re.compile(r"^(?:during which|where|when|in which)\b", re.IGNORECASE)
_BOTH_SIDES = re.compile(
    r"\b(?:the two|both)\s+(?P<noun>countries|nations|sides|states|governments|allies|"
    r"neighbou?rs)\b",
    re.IGNORECASE,
)
_STATE_NOUNS = ("countries", "nations", "states", "governments", "neighbours", "neighbors")
_TROOPS_AFTER = re.compile(
    r"\s+(?:\S+\s+){0,4}?(?:troops|soldiers|units|forces|battalions?|brigades?|warships|jets)\b"
)
_GOODS_BEFORE = re.compile(
    r"\b(?:doses|shipments?|cargo|supplies|consignments?|vaccines?|aid|goods|containers|"
    r"equipment|tonnes|parcels|deliveries|food|papers|ballots|storm|hurricane|cyclone|typhoon|"
    r"rains?|monsoon|winter)\b(?:\s+\S+){0,6}\s+$",
    re.IGNORECASE,
)
"""Goods or weather as the subject of "arrived": a delivery or the storm, not a visit."""
_TROOPS_BEFORE = re.compile(
    r"\b(?:[Tt]roops|[Ss]oldiers|forces|[Pp]ersonnel|[Ss]ervicemen|[Mm]arines|[Pp]eacekeepers|"
    r"[Pp]aratroopers|[Cc]ontingents?|[Bb]attalions?|[Bb]rigades?)\b[^.;]{0,40}$"
)
"""Forces before a word of arrival: "150 soldiers arrived" (not "the commander of the Aerospace
Forces arrived": a capitalised "Forces" is part of a name)."""
_AT_CONTAINER = re.compile(
    r"\b(?:at|during|on\s+the\s+sidelines\s+of)\s+(?:an?|the)\s+(?:\S+\s+){0,2}$", re.IGNORECASE
)
_RELATIVE_SUBJECT = re.compile(r"^\s*(?:who|which)\b", re.IGNORECASE)
_QUIET_TYPES = ("meeting", "visit", "statement", "criticism", "report_release")
_SENTENCE_HEDGE = re.compile(
    r"\b(?:unconfirmed|unverified|not\s+(?:been\s+)?(?:publicly\s+|officially\s+)?(?:acknowledged|confirmed)|"
    r"(?:has|have)\s+not\s+(?:publicly\s+|officially\s+)?(?:acknowledged|confirmed)|"
    r"den(?:ied|ies)(?!\s+(?:\S+\s+){0,2}?access))\b",
    re.IGNORECASE,
)
_TRANSFER_TYPES = types_in("transfer") | {"military_deployment"}
"""What is sent somewhere: the family of transfers, and troops."""
_ENEMY_BEFORE = re.compile(r"\b(?:against|fighting|versus|vs\.?)\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass
class Mention:
    type: EventType
    kind: str
    trigger: tuple[int, int]
    sentence: Sentence
    quote: tuple[int, int]
    participants: list[str]
    location: str | None
    date: TimexMatch | None
    status: Status
    quantities: list[Quantity]
    credits: list[str]
    prior: bool
    distinct: bool = False
    during_stay: bool = False
    container: Mention | None = None
    anchor: tuple[Mention, int, str, str, bool] | None = None
    bare: bool = False
    ordinal: bool = False
    rule: str = ""
    happening: str = ""
    """The happening its trigger rule tells: `other` mentions of one happening fold and merge."""


class Trigger(NamedTuple):
    """A trigger match: its span, event type, kind, the id of the rule that matched and the
    happening that rule tells (`TriggerRule.happening`)."""

    start: int
    end: int
    type: EventType
    kind: str
    rule: str
    happening: str = ""


def find_triggers(text: str) -> list[Trigger]:
    """Every trigger match in the article (start, end, type, kind), by start; one pass over
    the whole text is much cheaper than one per sentence."""
    rules = trigger_rules()
    return [
        Trigger(start, end, rules[n].type, rules[n].kind, rules[n].id, rules[n].happening)
        for start, end, n in scan_triggers(text)
    ]


def _triggers(text: str, sentence: Sentence, article: list[Trigger] | None = None) -> list[Trigger]:
    """The sentence's triggers, the longest winning where they overlap."""
    if article is None:
        article = find_triggers(text)
    lo = bisect.bisect_left(article, (sentence.start,))
    hi = bisect.bisect_left(article, (sentence.end,))
    found = [t for t in article[lo:hi] if t[1] <= sentence.end]
    kept: list[Trigger] = []
    for f in found:
        if any(f[0] < k[1] and k[0] < f[1] for k in kept):
            continue
        kept.append(f)
    return kept


def _clauses(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    bounds = [sentence.start]
    for m in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
        bounds.append(m.end())
    bounds.append(sentence.end)
    spans = []
    for a, b in itertools.pairwise(bounds):
        if b > a:
            spans.append((a, b))
    return spans


def _clause_of(clauses: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for a, b in clauses:
        if a <= pos < b:
            return a, b
    return clauses[-1]


class _VetoScene(NamedTuple):
    """What the veto predicates see of a sentence: its clauses, triggers and quotations."""

    doc: Document
    sentence: Sentence
    clauses: list[tuple[int, int]]
    raw: list[Trigger]
    quoted: list[tuple[int, int]]
    dropped: dict[Trigger, str]
    """The id of the veto that dropped each trigger so far (vetoes apply in file order)."""


def _in_quotation(scene: _VetoScene, t: Trigger, kept: list[Trigger]) -> bool:
    """Inside a quotation: the speaker's words, not what the article states."""
    return any(a <= t.start < b for a, b in scene.quoted)


def _object_of_another_verb(scene: _VetoScene, t: Trigger, kept: list[Trigger]) -> bool:
    """ "criticized the deal", "ratified the pact": a verb of another event (not a statement)
    shortly before the noun in its clause acts on it, so the noun points at an event told
    elsewhere."""
    doc = scene.doc
    clause = _clause_of(scene.clauses, t.start)
    return any(
        o is not t
        and o.kind == "verb"
        and o.type not in (t.type, "statement")
        and clause[0] <= o.start < t.start
        and doc.words_between(o.end, t.start) <= 5
        for o in kept
    )


_JOINS_PREDICATES = r"(?:and|but|then|before|after)"
"""Words that join a second predicate to a first ("bought X and cut 600 jobs")."""
_SECOND_PREDICATE = re.compile(rf"\b{_JOINS_PREDICATES}\b|[,;]")


def _coordinated(doc: Document, a: int, b: int) -> bool:
    """Between a general verb and a typed trigger: a second predicate ("bought X and cut 600
    jobs"), or more words than one predicate holds."""
    return bool(_SECOND_PREDICATE.search(doc.text, a, b)) or doc.words_between(a, b) > 10


_NO_HAPPENING_OF_ITS_OWN = (
    "veto.object-of-another-verb",
    "veto.not-specific",
    "veto.background-noun",
)
"""Vetoes that leave a general verb beside the noun they drop: "may review the deal", "could
table a draft treaty", "could withhold aid if the vote slips" (the verb's act is the news)."""


def _beside_a_typed_trigger(scene: _VetoScene, t: Trigger, kept: list[Trigger]) -> bool:
    """A typed trigger (not a statement, kept or vetoed) in the same predicate of the clause as
    a general verb ("began an indefinite strike", "launched a verbal attack"); not a noun
    dropped as naming no happening of its own (`_NO_HAPPENING_OF_ITS_OWN`)."""
    clauses = scene.clauses
    clause = _clause_of(clauses, t.start)
    return any(
        o is not t
        and not o.rule.startswith("other.generic-")
        and o.type != "statement"
        and scene.dropped.get(o) not in _NO_HAPPENING_OF_ITS_OWN
        and _clause_of(clauses, o.start) == clause
        and (
            t.rule == "other.generic-casualties"  # "fighting … killed 30": its toll
            or not _coordinated(scene.doc, min(t.end, o.end), max(t.start, o.start))
        )
        for o in scene.raw
    )


def _after_another_event(scene: _VetoScene, t: Trigger, kept: list[Trigger]) -> bool:
    """An event of another type told before it in the sentence (among the kept triggers)."""
    return any(o.type != t.type for o in kept[: kept.index(t)])


def _after_a_determiner(scene: _VetoScene, t: Trigger, kept: list[Trigger]) -> bool:
    """The word right before it is a determiner ("the closed border"): see `used_as_noun`."""
    doc = scene.doc
    return used_as_noun(doc.text[doc.before(t.start, 1, scene.sentence.start) : t.start])


def _outside_a_caption(scene: _VetoScene, t: Trigger, kept: list[Trigger]) -> bool:
    """Not in a photo caption (`sentences`), the one place a present verb shows a moment, or
    not a verb there: a capitalised word is a name or a month ("Rescue boats", "March 3")."""
    return scene.sentence.kind != "caption" or scene.doc.text[t.start].isupper()


_VETO_PREDICATES = {
    "outside_a_caption": _outside_a_caption,
    "in_quotation": _in_quotation,
    "after_a_determiner": _after_a_determiner,
    "object_of_another_verb": _object_of_another_verb,
    "beside_a_typed_trigger": _beside_a_typed_trigger,
    "after_another_event": _after_another_event,
}
"""The conditions of `vetoes.toml` kept in code, by the name its `predicate` gives."""


@cache
def _vetoes() -> tuple[Veto, ...]:
    """The veto rules, each predicate they name known here."""
    rules = veto_rules()
    unknown = sorted({v.predicate for v in rules if v.predicate} - set(_VETO_PREDICATES))
    if unknown:
        raise ValueError(f"vetoes.toml names unknown predicates: {', '.join(unknown)}")
    return rules


def _apply_vetoes(scene: _VetoScene) -> tuple[list[Trigger], dict[Trigger, str]]:
    """The triggers that state a happening of their own (GUIDELINES §1), and the id of the
    veto that dropped each of the others: the vetoes of `vetoes.toml` in file order, each on
    the triggers the ones before it kept."""
    doc = scene.doc
    sentence = (scene.sentence.start, scene.sentence.end)
    around = {
        t: (doc.text[t.start : t.end].lower(), _clause_of(scene.clauses, t.start))
        for t in scene.raw
    }
    kept = list(scene.raw)
    dropped = scene.dropped
    for veto in _vetoes():
        survivors = []
        for t in kept:
            word, clause = around[t]
            if (
                veto.selects(word, t.type, t.kind, t.rule)
                and veto.windows_fire(doc, clause, sentence, t.start, t.end)
                and (veto.predicate is None or _VETO_PREDICATES[veto.predicate](scene, t, kept))
            ):
                dropped[t] = veto.id
            else:
                survivors.append(t)
        kept = survivors
    return kept, dropped


def sentence_vetoes(
    doc: Document, sentence: Sentence, article_triggers: list[Trigger] | None = None
) -> tuple[list[Trigger], dict[Trigger, str]]:
    """A sentence's triggers the vetoes keep, and the id of the veto that dropped each of the
    others (for `explain` and the rule tests)."""
    text = doc.text
    quoted = quotations(text, sentence)
    raw = _triggers(text, sentence, article_triggers)
    return _apply_vetoes(_VetoScene(doc, sentence, _clauses(text, sentence), raw, quoted, {}))


def table_type_of(table: EntityTable, name: str) -> str | None:
    """The entity type of a canonical name in the table."""
    for rec in table.records.values():
        if rec.name == name:
            return rec.type
    return None


_SPEECH_SETTING = re.compile(
    r"\s+(?:(?:late\s+|early\s+)?on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|in\s+a\s+statement|(?:a|the)\s+news\s+conference|reporters|parliament|lawmakers)\b"
)
"""A said-clause with a setting of its own ("said on Wednesday that", "said in a statement",
"told reporters"): the saying is a happening though its speaker is not named."""


def _said_statements(
    doc: Document,
    sentence: Sentence,
    table: EntityTable,
    triggers: list[Trigger],
) -> list[Trigger]:
    """ "X said …" is a statement event only when X is named and the sentence reports no other
    event (otherwise "said" credits that event, GUIDELINES §8)."""
    text = doc.text
    said = [
        t
        for t in triggers
        if t[2] == "statement" and re.match(r"(?:said|says|stated|told)\b", text[t[0] : t[1]])
    ]
    passive = [
        t
        for t in said
        if not _SAID_WORD.match(text, t[0])
        or re.search(r"\b(?:is|are|was|were|be|been|being)\s+$", text[doc.before(t[0], 1) : t[0]])
    ]
    triggers = [t for t in triggers if t not in passive]
    said = [t for t in said if t not in passive]
    if not said:
        return triggers
    others = [t for t in triggers if t not in said]
    keep = list(others)
    if not others and len(said) == 1:
        s = said[0][0]
        subject = [
            m
            for m in table.in_span(sentence.start, s)
            if doc.words_between(m.end, s) <= 6
            and table.get(m.key).type in ("person", "organization", "country")
        ]
        if (
            (
                subject
                and not re.search(r"[,;]\s*(?:the\s+)?[^,;]*\w[^,;]*$", text[subject[-1].end : s])
            )
            or _quote_then_speaker(doc, table, said[0])
            or quote_then_pronoun(doc, said[0].start)
            or _SPEECH_SETTING.match(text, said[0][1])
        ):
            keep.append(said[0])
    elif others:
        keep += [
            t
            for t in said
            if _speakers(doc, sentence, table, t[0])
            and (_declares(doc, t) or _speaks_a_quotation(text, sentence, t, others))
        ]
    return sorted(keep)


def _quote_then_speaker(doc: Document, table: EntityTable, said: Trigger) -> bool:
    """'"The harvest is lost," said Mira Halvorsen': a quotation credited to a named
    person or body after it is that speaker's statement."""
    if not re.search(r"[\"”’],?\s*$", doc.text[doc.before(said.start, 1) : said.start]):
        return False
    after = [
        m
        for m in table.in_span(said.end, doc.after(said.end, 4))
        if doc.words_between(said.end, m.start) == 0
    ]
    return bool(after) and table.get(after[0].key).type in ("person", "organization")


def quote_then_pronoun(doc: Document, said: int) -> bool:
    """'"We will not leave," she said.': a quotation its speaker, named before, is said to say
    (a statement of its own, or more of the words the speaker's last sentence reported)."""
    return bool(re.search(r"[\"”’],?\s+(?:he|she)\s+$", doc.text[doc.before(said, 2) : said]))


_QUOTATION_THEN_SPEAKER = re.compile(r"\s*[\"“‘].*[\"”’],?\s+(?:[\w’'.-]+\s+){0,6}")


def _speaks_a_quotation(
    text: str, sentence: Sentence, said: Trigger, others: list[Trigger]
) -> bool:
    """'"…," Kavalchuk told a news conference after the signing': the sentence is the speaker's
    quotation; an event named after the verb is its occasion, not what the verb credits."""
    return bool(
        _QUOTATION_THEN_SPEAKER.fullmatch(text, sentence.start, said.start)
        and all(o.start > said.end for o in others)
    )


def _complement_follows(doc: Document, trigger: Trigger) -> bool:
    """ "announced that …", "told reporters that …": what follows is reported by the speaker."""
    after = doc.text[trigger[1] : doc.after(trigger[1], 6)]
    return bool(re.match(r"\s*(?:\S+\s+){0,3}?that\b", after))


def _declares(doc: Document, trigger: Trigger) -> bool:
    """ "told reporters that …" declares on an occasion: its own statement event even when the
    sentence reports another event; a bare "said" only credits that event."""
    return bool(re.match(r"told\b", doc.text[trigger[0] : trigger[1]])) and _complement_follows(
        doc, trigger
    )


def _speakers(doc: Document, sentence: Sentence, table: EntityTable, pos: int) -> list[NameMention]:
    """The named subject of a speech verb at `pos` ("X said", "X, the minister, said")."""
    text = doc.text
    subject = [
        m
        for m in table.in_span(sentence.start, pos)
        if doc.words_between(m.end, pos) <= 6
        and table.get(m.key).type in ("person", "organization", "country")
    ]
    if not subject or re.search(r"[,;]\s*(?:the\s+)?[^,;]*\w[^,;]*$", text[subject[-1].end : pos]):
        return []
    return subject[-1:]


def speech_credits(
    doc: Document, sentence: Sentence, table: EntityTable, triggers: list[Trigger]
) -> list[Credit]:
    """ "X said talks would resume": a speech verb that is not its own event credits X for the
    events it reports (GUIDELINES §8)."""
    out = []
    for t in triggers:
        if t[2] != "statement":
            continue
        for m in _speakers(doc, sentence, table, t[0]):
            out.append(Credit(m.start, m.end, (table.get(m.key).name,)))
    return out


def _apposition_spans(text: str, sentence: Sentence, table: EntityTable) -> list[tuple[int, int]]:
    """ ", the Secretary of X's Council," after a person: names there describe, they do not act."""
    spans = []
    for m in table.in_span(sentence.start, sentence.end):
        if table.get(m.key).type != "person":
            continue
        a = re.match(r",\s+(?:the|a|an)\s+[^,]{3,90}?,", text[m.end : sentence.end])
        if a:
            spans.append((m.end, m.end + a.end()))
    return spans


def _participants(
    doc: Document,
    mentions: list[NameMention],
    table: EntityTable,
    excluded: list[tuple[int, int]],
    etype: EventType = "other",
) -> list[str]:
    text, names = doc.text, []
    transfer = etype in _TRANSFER_TYPES
    for m in mentions:
        if any(a <= m.start < b for a, b in excluded):
            continue
        rec = table.get(m.key)
        if rec.type == "country" and _owner_of_org_or_title(doc, table, m):
            continue  # "China's Foreign Ministry", "Iran's ambassador": the body acts
        if (
            rec.type == "location"
            and transfer
            and rec.country_code
            and re.search(r"\b(?:to|from)\s+$", text[doc.before(m.start, 1) : m.start])
        ):
            country = next(
                (
                    r
                    for r in table.records.values()
                    if r.type == "country" and r.country_code == rec.country_code
                ),
                None,
            )
            if country is not None and country.name not in names:
                names.append(country.name)
            continue
        if rec.type == "location":
            continue
        if etype == "report_release" and not (
            rec.type == "organization"
            or (
                rec.type == "person"
                and re.search(r"\bby\s+(?:[\w-]+\s+){0,3}$", text[doc.before(m.start, 6) : m.start])
            )
        ):
            continue
        if m.role == "place" and not (transfer and rec.type == "country"):
            continue
        if transfer and _ENEMY_BEFORE.search(text[doc.before(m.start, 3) : m.start]):
            continue
        into = r"to|from|in|into|inside" if etype == "military_deployment" else r"to|from"
        if m.role == "place" and not re.search(
            rf"\b(?:{into})\s+(?:the\s+)?$", text[doc.before(m.start, 2) : m.start]
        ):
            continue  # a host country is a party to a deployment, a venue is not
        if m.role == "modifier" and not _forces_follow(doc, m.end):
            continue
        if _ORDERER.search(text[doc.before(m.start, 5) : m.start]):
            continue
        if rec.name not in names:
            names.append(rec.name)
    return names


def _owner_of_org_or_title(doc: Document, table: EntityTable, m: NameMention) -> bool:
    possessive = _POSSESSIVE.match(doc.text, m.end)
    if not possessive:
        return False
    after = possessive.end()
    words = re.findall(r"[\w.-]+", doc.text[after : doc.after(after, 3)])[:3]
    if any(w.lower() in TITLE_HEADS for w in words):
        return True
    return any(
        x.start == after and table.get(x.key).type == "organization"
        for x in table.in_span(after, doc.after(after, 10))
    )


def _assign_dates(
    dates: list[TimexMatch], triggers: list[Trigger], doc: Document
) -> dict[int, TimexMatch]:
    """Each date expression dates the trigger nearest to it (after it in the clause first)."""
    text = doc.text
    out: dict[int, TimexMatch] = {}
    for d in dates:
        if _SAID_BEFORE.search(text[doc.before(d.start, 4) : d.start]):
            speech = [
                i
                for i, t in enumerate(triggers)
                if t[2] == "statement"
                and t[1] <= d.start
                and doc.words_between(t[1], d.start) <= 2
                and i not in out
            ]
            if speech:
                out[speech[0]] = d  # the statement event is dated by it
            continue  # "…, the ministry said on Monday": the date of the saying
        best = None
        for i, (s, e, t, *_rest) in enumerate(triggers):
            if t == "statement" and d.start >= e and doc.words_between(e, d.start) >= 2:
                continue  # a date inside what is said dates the content, not the saying
            if d.start >= e:
                gap = doc.words_between(e, d.start)
                between = text[e : d.start]
                if ";" in between or re.search(r",\s+(?:which|while|and|but|although)\b", between):
                    gap += 32
            else:
                gap = doc.words_between(d.end, s) + 6
                if re.match(r",?\s+and\s", text[d.end : s]):
                    gap += 32  # "stormed the ship on Tuesday and freed the crew": it ends the first
            if best is None or gap < best[0]:
                best = (gap, i)
        if best is not None and best[1] not in out:
            out[best[1]] = d
    return out


@dataclass
class _SentenceFacts:
    """What one sentence gives all its mentions: kept triggers, dates, credits and names."""

    text: str
    doc: Document
    sentence: Sentence
    table: EntityTable
    published: dt.date | None
    clauses: list[tuple[int, int]]
    triggers: list[Trigger]
    by_trigger: dict[int, TimexMatch]
    dateline_date: TimexMatch | None
    credits: list[Credit]
    speech_ids: set[int]
    local_credits: dict[int, Trigger]
    excluded: list[tuple[int, int]]
    appositions: list[tuple[int, int]]
    names: list[NameMention]
    prior: bool


class _Scope(NamedTuple):
    """The stretch of a sentence that speaks about one trigger."""

    clause: tuple[int, int]
    lo: int
    reach: int
    earlier: list[Trigger]
    next_trigger: int | None


def _kept_triggers(
    doc: Document,
    sentence: Sentence,
    table: EntityTable,
    clauses: list[tuple[int, int]],
    raw: list[Trigger],
    quoted: list[tuple[int, int]],
) -> list[Trigger]:
    """The triggers that state a happening of their own: the vetoes applied, then "said"
    kept as a statement only where it is one."""
    kept, _dropped = _apply_vetoes(_VetoScene(doc, sentence, clauses, raw, quoted, {}))
    return _said_statements(doc, sentence, table, kept)


def _sentence_dates(
    text: str, sentence: Sentence, published: dt.date | None
) -> tuple[list[TimexMatch], TimexMatch | None]:
    """The sentence's date expressions, and apart from them the dateline's date."""
    dates = [
        TimexMatch(d.start + sentence.start, d.end + sentence.start, d.text, d.value, d.approximate)
        for d in find_dates(sentence.text, published)
    ]
    dateline = DATELINE.match(sentence.text)
    dateline_date = None
    if dateline:
        inside = [d for d in dates if d.start < sentence.start + dateline.end()]
        if inside:
            dateline_date = inside[0]
            dates = [d for d in dates if d is not dateline_date]
    return [d for d in dates if not _ANCHOR_AFTER.match(text, d.end)], dateline_date


def _sentence_facts(
    doc: Document,
    sentence: Sentence,
    table: EntityTable,
    published: dt.date | None,
    article_triggers: list[Trigger] | None,
) -> _SentenceFacts | None:
    """The shared facts of a sentence, or None when it states no happening."""
    text = doc.text
    clauses = _clauses(text, sentence)
    raw = _triggers(text, sentence, article_triggers)
    quoted = quotations(text, sentence)
    triggers = _kept_triggers(doc, sentence, table, clauses, raw, quoted)
    if not triggers:
        return None
    silent_speech = [
        t
        for t in raw
        if t not in triggers
        and t[2] == "statement"
        and re.match(r"(?:said|says|stated|told)\b", text[t[0] : t[1]])
        and not any(a <= t[0] < b for a, b in quoted)
    ]
    dates, dateline_date = _sentence_dates(text, sentence, published)
    found_credits = find_credits(text, sentence.start, sentence.end, table)
    triggers = [
        t for t in triggers if not any(c.start <= t.start < c.end for c in found_credits)
    ]  # "two officials involved in the talks said": the talks name the source, not an event
    if not triggers:
        return None
    declared = [t for t in triggers if t[2] == "statement" and _complement_follows(doc, t)]
    spoken = [
        c
        for c in speech_credits(doc, sentence, table, [*silent_speech, *declared])
        if not any(o.start <= c.start < o.end for o in found_credits)
    ]
    found_credits += spoken
    local_credits = {
        id(c): t
        for c in found_credits
        for t in triggers
        if c.start >= t[1]
        and doc.words_between(t[1], c.start) <= 3
        and re.fullmatch(r",\s+(?:as\s+)?reported\s+by\s+(?:the\s+)?", text[t[1] : c.start])
    }
    appositions = _apposition_spans(text, sentence, table)
    return _SentenceFacts(
        text=text,
        doc=doc,
        sentence=sentence,
        table=table,
        published=published,
        clauses=clauses,
        triggers=triggers,
        by_trigger=_assign_dates(dates, triggers, doc),
        dateline_date=dateline_date,
        credits=found_credits,
        speech_ids={id(c) for c in spoken},
        local_credits=local_credits,
        excluded=[(c.start, c.end) for c in found_credits] + appositions,
        appositions=appositions,
        names=table.in_span(sentence.start, sentence.end),
        prior=bool(_PRIOR_SENTENCE.match(sentence.text)),
    )


def sentence_mentions(
    doc: Document,
    sentence: Sentence,
    table: EntityTable,
    published: dt.date | None,
    article_triggers: list[Trigger] | None = None,
) -> list[Mention]:
    """All event mentions one sentence states."""
    text = doc.text
    facts = _sentence_facts(doc, sentence, table, published, article_triggers)
    if facts is None:
        return []
    out = [_mention(facts, i, t) for i, t in enumerate(facts.triggers)]
    _elided_subjects(text, out)
    _share_container(doc, out, facts.clauses)
    _anchor_gaps(doc, out)
    out = _fold_sentence(out)
    if len(out) > 1:
        for m in out:
            clause = _clause_of(facts.clauses, m.trigger[0])
            m.quote = _trim(text, clause[0], clause[1])
    return out


def _elided_subjects(text: str, mentions: list[Mention]) -> None:
    """ "X approached Y but walked away": a verb coordinated without a subject of its own has
    the subject of the verb before it; so has a speech participle ("X closed the border,
    accusing Y of …": X accuses)."""
    for before, m in itertools.pairwise(mentions):
        if not before.participants or m.kind != "verb":
            continue
        if not m.participants and _COORDINATED_VERB.search(text, before.trigger[1], m.trigger[0]):
            m.participants = before.participants[:1]
        elif m.type in ("criticism", "statement") and _SPEECH_PARTICIPLE.match(
            text, before.trigger[1], m.trigger[1]
        ):
            m.participants = union(before.participants[:1], m.participants)


_COORDINATED_VERB = re.compile(rf"\b{_JOINS_PREDICATES}\s+(?:\w+ly\s+)?$")
_SPEECH_PARTICIPLE = re.compile(r"[^.;]*,\s+\w+ing\b")


def _retyped(doc: Document, t: Trigger, clause: tuple[int, int]) -> EventType:
    """The trigger's type, corrected by what surrounds it."""
    text, s, e, etype = doc.text, t.start, t.end, t.type
    before = text[doc.before(s, 10, clause[0]) : s]
    if etype == "visit" and _TROOPS_BEFORE.search(before):
        return "military_deployment"  # "150 soldiers arrived": forces sent, not a trip
    if etype == "visit" and _GOODS_BEFORE.search(before):
        return "other"  # "the first doses arrived", "the storm arrived": not a trip
    if (
        t.rule == "other.generic-past"
        and re.match(r"(?:moved|redeployed)\b", text[s:e])
        and (
            _TROOPS_BEFORE.search(before)
            or _TROOPS_AFTER.match(text, e, doc.after(e, 6, clause[1]))
        )
    ):
        return "military_deployment"  # "units were moved to the border": forces sent
    if etype == "arms_transfer" and re.search(r"technolog|know-how|expertise", text[s:e]):
        return "technology_transfer"
    return etype


def _scope(f: _SentenceFacts, i: int, t: Trigger, etype: EventType) -> _Scope:
    """How far before and after the trigger its participants are looked for."""
    text, doc, s, e = f.text, f.doc, t.start, t.end
    clause = _clause_of(f.clauses, s)
    earlier = [o for o in f.triggers[:i] if o[0] >= clause[0]]
    if etype in _TRANSFER_TYPES:
        reach = clause[1]
    else:
        reach = doc.after(e, 15 if etype in ("visit", "meeting") else 11, clause[1])
    later = [o[0] for o in f.triggers if o[0] > e and o[2] != etype]
    if later:
        reach = min(reach, max(later[0], doc.after(e, 4)))
    if etype == "report_release":
        reach = e
    if etype == "statement":
        reach = s  # the speaker, not the names in what is said
    if etype == "criticism":
        cut = re.compile(r"\b(?:and\s+)?(?:said|says|adding|saying|that)\b").search(text, e, reach)
        reach = cut.start() if cut else reach
    wide = etype in ("visit", "meeting", *_TRANSFER_TYPES)
    lo = clause[0] if wide else doc.before(s, 14, clause[0])
    if (
        etype in (*_TRANSFER_TYPES, "armed_conflict")
        and earlier
        and earlier[-1][2] in ("sanctions", "criticism", "report_release", "statement")
    ):
        lo = max(lo, earlier[-1][1])  # "sanctions on firms accused of supplying …"
    if etype == "meeting" and t.kind == "noun" and _AT_CONTAINER.search(text[clause[0] : s]):
        lo = s
        comma = text.find(",", e, reach)
        reach = comma if comma > 0 else reach
    next_trigger = min((o[0] for o in f.triggers if o[0] > e), default=None)
    return _Scope(clause, lo, reach, earlier, next_trigger)


def _clause_names(
    f: _SentenceFacts, t: Trigger, etype: EventType, scope: _Scope
) -> list[NameMention]:
    """The names in the trigger's scope that may be its participants."""
    names = [
        m
        for m in f.names
        if scope.lo <= m.start < scope.reach
        and not any(o[0] > t.end and 0 <= o[0] - m.end <= 2 for o in f.triggers)
    ]
    if etype in ("visit", "meeting") and scope.earlier:
        names = [
            m
            for m in names
            if not (scope.earlier[-1][1] <= m.start < t.start)
            or f.table.get(m.key).type in ("person", "location")
        ]  # "signed a deal with firm X during a visit": X is the deal's, not the trip's
    return names


def _own_participants(
    f: _SentenceFacts,
    t: Trigger,
    etype: EventType,
    scope: _Scope,
    names: list[NameMention],
) -> list[str]:
    """The participants the trigger's own scope names (and a relative clause's antecedent)."""
    text, table, clause, s = f.text, f.table, scope.clause, t.start
    own_excluded = f.appositions if etype == "report_release" else f.excluded
    parts = _participants(f.doc, names, table, own_excluded, etype)
    relative = _RELATIVE_SUBJECT.match(text[clause[0] : s])
    if relative and "," in text[clause[0] : s]:
        closed = clause[0] + text[clause[0] : s].rfind(",")
        inside = {table.get(m.key).name for m in names if m.start < closed}
        parts = [p for p in parts if p not in inside]  # "X, which has …, urged": X urged
    if relative and ("," in text[clause[0] : s] or not [m for m in names if m.start < s]):
        antecedent = _antecedent(f.doc, table, f.sentence.start, clause[0])
        if antecedent:
            parts = union([antecedent], parts)
    return parts


def _speaker_participants(
    f: _SentenceFacts, t: Trigger, etype: EventType, parts: list[str], bare: bool
) -> list[str]:
    """A statement's or criticism's speaker first; a lone trigger takes the sentence's names."""
    s, doc = t.start, f.doc
    speaker = [
        n for c in f.credits if c.end <= s and doc.words_between(c.end, s) <= 2 for n in c.names
    ]
    if etype == "criticism" and not speaker:
        speaker = [
            n
            for c in f.credits
            if id(c) in f.speech_ids
            and c.end <= s
            and re.search(r"\band\s+(?:\w+\s+)?$", f.text[doc.before(s, 2, c.end) : s])
            for n in c.names
        ]  # "X said … and accused Y": X is the critic
    if etype in ("statement", "criticism") and speaker:
        return union(speaker, parts)
    if not parts and len(f.triggers) == 1 and not bare:
        return _participants(f.doc, f.names, f.table, f.excluded, etype)
    return parts


def _implied_participants(
    f: _SentenceFacts,
    t: Trigger,
    etype: EventType,
    scope: _Scope,
    names: list[NameMention],
    parts: list[str],
) -> list[str]:
    """Participants the sentence implies: a visitor's speaker, "he", "it", "they", "both"."""
    text, table, s = f.text, f.table, t.start
    if etype in ("visit", "meeting") and not any(
        table_type_of(table, n) == "person" for n in parts
    ):
        speakers = [
            n
            for c in f.credits
            if c.end <= s and f.doc.words_between(c.end, s) < 10
            for n in c.names
            if table_type_of(table, n) == "person"
        ]
        parts = union(speakers, parts)
    window = text[scope.clause[0] : scope.reach]
    no_person = not any(table.get(m.key).type == "person" for m in names)
    if no_person and re.search(r"\b(?:he|his|him|she|her)\b", window, re.IGNORECASE):
        actor = _previous_person(f.doc, table, s)
        if actor and actor not in parts:
            parts.insert(0, actor)
    if (
        etype != "statement"
        and not [m for m in names if m.start < s and table.get(m.key).name in parts]
        and re.search(
            r"\b(?:it|its|they)\s+(?:\w+\s+){0,3}$", text[f.doc.before(s, 6, scope.lo) : s]
        )
    ):
        body = _previous_actor(f.doc, table, s, f.sentence.start)
        if body and body not in parts:
            parts.insert(0, body)  # "the army said it had sent …": it is the army
    if no_person and re.search(r"\b(?:their|they|both)\b", window, re.IGNORECASE):
        pair = _previous_people(f.doc, table, s, f.sentence)
        if len(pair) >= 2:
            parts = union(parts, pair)
    return _both_sides(f, window, parts)


def _both_sides(f: _SentenceFacts, window: str, parts: list[str]) -> list[str]:
    """ "the two countries", "both sides": the article's main countries, or the two people."""
    both = _BOTH_SIDES.search(window)
    if not both:
        return parts
    table = f.table
    people = [
        table.get(m.key).name
        for m in f.names
        if table.get(m.key).type == "person" and m.role != "modifier"
    ]
    people = list(dict.fromkeys(people))
    if both.group("noun").lower() in _STATE_NOUNS or len(people) < 2:
        countries = _main_countries(table)
        parts = [p for p in parts if table_type_of(table, p) != "person" or not countries]
        return union(parts, countries)
    return union(parts, people)


def _mention_date(f: _SentenceFacts, i: int, t: Trigger) -> TimexMatch | None:
    """The date assigned to the trigger; under a dateline, the report's date for the present
    perfect."""
    date = f.by_trigger.get(i)
    s, e = t.start, t.end
    if (
        date is None
        and f.dateline_date is not None
        and i == 0
        and (
            re.search(r"\b(?:has|have)\s+(?:\w+\s+)?$", f.text[f.doc.before(s, 3) : s])
            or re.fullmatch(r"\w+s", f.text[s:e])
        )
    ):
        return f.dateline_date  # present perfect under a dateline: the report's date
    return date


def _mention_status(
    f: _SentenceFacts,
    t: Trigger,
    etype: EventType,
    clause: tuple[int, int],
    date: TimexMatch | None,
    pointer: bool,
) -> Status:
    """The status the cues around the trigger give (GUIDELINES §6)."""
    text, doc, s, e, kind = f.text, f.doc, t.start, t.end, t.kind
    lookback = 6 if _PAST_VERB.match(text[s:e]) else 24
    window = text[doc.before(s, lookback, clause[0]) : _status_end(doc, s, e, etype, kind, clause)]
    if kind == "noun":
        window = _DETAIL_HEDGE.sub(" ", window)
    if etype in _SPEECH:
        window = _QUOTED.sub(" ", window)  # '"We will …," he told reporters': what was said
    status = status_of(window)
    if pointer:
        status = "occurred"  # "drones were used in the fighting": the cue is not about it
    if status == "occurred" and not pointer:
        head = text[f.sentence.start : doc.before(s, 24, clause[0])]
        if etype not in _SPEECH and (
            re.search(r"\b(?:reportedly|allegedly|believed|reports\s+indicate)\b", head, re.I)
            or _hedged_in_sentence(text, f.sentence, s, f.triggers)
            or sentence_cue_of(_QUOTED.sub(" ", f.sentence.text))
        ):
            status = "alleged"
    published = f.published
    if (
        status == "occurred"
        and date is not None
        and date.value
        and published is not None
        and date.value > published.isoformat()[: len(date.value)]
    ):
        status = "planned"  # a date after publication: not yet happened
    return status


def _mention_quantities(
    f: _SentenceFacts, t: Trigger, etype: EventType, scope: _Scope
) -> list[Quantity]:
    """The numbers the trigger's clause gives, up to the next trigger."""
    if etype in _QUIET_TYPES:
        return []
    text, clause, e = f.text, scope.clause, t.end
    nxt = scope.next_trigger
    q_end = clause[1] if nxt is None else min(clause[1], max(nxt, f.doc.after(e, 4)))
    q_start = max(clause[0], scope.earlier[-1][1]) if scope.earlier else clause[0]
    if (
        etype in ("armed_conflict", "other")
        and nxt is None
        and re.match(
            r"\s*(?:which\s+)?(?:killing|killed|wounding|wounded|injuring|injured|leaving|left|"
            r"kidnapping|abducting|capturing|displacing|displaced)\b",
            text[clause[1] : f.doc.after(clause[1], 3)],
        )
    ):
        q_end = _clause_of(f.clauses, clause[1])[1]
    return [q.quantity for q in find_quantities(text, q_start, q_end)]


def _mention_credits(
    f: _SentenceFacts, t: Trigger, etype: EventType, parts: list[str]
) -> list[str]:
    """Who the sentence credits for this mention (GUIDELINES §8)."""
    s = t.start
    credits = [
        n
        for c in f.credits
        if id(c) not in f.local_credits or f.local_credits[id(c)][0] == s
        for n in c.names
    ]
    credits = [
        n
        for c in f.credits
        if not (
            id(c) in f.speech_ids
            and (c.end > s or (etype in _SPEECH and parts and not set(c.names) & set(parts)))
        )
        for n in c.names
        if n in credits
    ]
    if etype in ("statement", "criticism", "report_release"):
        credits = [n for n in credits if n not in parts]
    return list(dict.fromkeys(credits))


def _mention(f: _SentenceFacts, i: int, t: Trigger) -> Mention:
    """The mention one kept trigger states, with the facts its sentence gives it."""
    text, s, e, kind = f.text, t.start, t.end, t.kind
    etype = _retyped(f.doc, t, _clause_of(f.clauses, s))
    scope = _scope(f, i, t, etype)
    clause = scope.clause
    names = _clause_names(f, t, etype, scope)
    location = places.locate(f.doc, f.table, clause, s, e, etype, scope.next_trigger)
    names = [
        m
        for m in names
        if location is None or f.table.get(m.key).name != location or etype in _TRANSFER_TYPES
    ]
    parts = _own_participants(f, t, etype, scope, names)
    if etype == "statement" and not parts:
        scope = scope._replace(reach=f.doc.after(e, 11, clause[1]))
    bare = kind == "noun" and bool(_BARE_REFERENCE.search(text[clause[0] : s]))
    pointer = kind == "noun" and bool(
        re.search(
            r"\b(?:in|during|at|of|after|before|since|from|over|about)\s+(?:the|this|that|these)\s+"
            r"(?:[a-z-]+\s+)?$",
            text[clause[0] : s],
        )
    )
    parts = _speaker_participants(f, t, etype, parts, bare)
    if etype == "visit" and location in parts:
        parts = [p for p in parts if p != location]
    parts = _implied_participants(f, t, etype, scope, names, parts)
    date = _mention_date(f, i, t)
    mention = Mention(
        type=etype,
        kind=kind,
        trigger=(s, e),
        sentence=f.sentence,
        quote=(f.sentence.start, f.sentence.end),
        participants=parts,
        location=location,
        date=date,
        status=_mention_status(f, t, etype, clause, date, pointer),
        quantities=_mention_quantities(f, t, etype, scope),
        credits=_mention_credits(f, t, etype, parts),
        prior=f.prior or bool(_PRIOR.search(text[f.doc.before(s, 5, clause[0]) : s])),
        rule=t.rule,
        happening=t.happening,
    )
    mention.bare = bare
    mention.ordinal = kind == "noun" and bool(_ORDINAL_BEFORE.search(text[clause[0] : s]))
    lead = f.doc.before(s, 4, clause[0])
    mention.distinct = bool(_DISTINCT.search(text[lead : scope.reach]))
    mention.during_stay = bool(_DURING_STAY.search(text[clause[0] : clause[1]]))
    return mention


_SPEECH = ("statement", "criticism")
_FORWARD_CUT = re.compile(
    r"\b(?:that|which|who|whom|whose|where|while|whereby|under|after|before|because|since|so|"
    r"but|saying|warning|adding|accusing|arguing|calling|urging)\b|[,;:—–(]"
)


def _status_end(
    doc: Document, s: int, e: int, etype: EventType, kind: str, clause: tuple[int, int]
) -> int:
    """Where the text that bears on a mention's status ends. A speech act's status is its
    own ("warned that X will …" occurred); after a verb, a complement or relative clause
    ("signed a deal under which the firm will …") tells the content, not the act."""
    end = doc.after(e, 9, clause[1])
    if etype in _SPEECH and kind == "verb":
        return s  # the speech verb itself ("denied", "claimed") is the act, not a hedge on it
    if (kind == "noun" or used_as_noun(doc.text[doc.before(s, 1, clause[0]) : s])) and (
        _MODAL_PREDICATE.match(doc.text, e, end)
    ):
        return e  # "the visit could pave the way for …": the modal is about what it leads to
    if kind == "verb":
        cut = _FORWARD_CUT.search(doc.text, e, end)
        if cut:
            return cut.start()
    return end


_NOUN_USE = re.compile(r"\b(?:the|a|an|its|their|his|her|these|those|this|that)\s+$", re.I)


def used_as_noun(before: str) -> bool:
    """A trigger word after a determiner names a happening ("the visit", "condemned the
    strikes") rather than asserting one."""
    return bool(_NOUN_USE.search(before))


_MODAL_PREDICATE = re.compile(
    r"\s+(?:\w+\s+)?(?:could|may|might|would|will)\s+(?:also\s+)?(?:pave|lead|help|boost|bring|"
    r"create|strengthen|deepen|allow|enable|mean|affect|hurt|cost|spur|fuel|trigger|open\s+the\s+way)"
    r"\b"
)
"""A consequence of a named happening ("the visit could pave the way"), not its own status
("the talks will resume" stays planned)."""


def _share_container(
    doc: Document, mentions: list[Mention], clauses: list[tuple[int, int]]
) -> None:
    """ "agreements made during his visit on June 4", "a visit last year, during which they
    signed a deal", "deployed to X, where arms were also sent": the contained event takes the
    container's date, place and (when it names none) participants (GUIDELINES §4, §5)."""
    text = doc.text
    for m in mentions:
        for c in mentions:
            if c is m or c.type not in ("visit", "meeting") or c.trigger[0] <= m.trigger[1]:
                continue
            between = text[m.trigger[1] : c.trigger[0]]
            far = doc.words_between(m.trigger[1], c.trigger[0]) > 15
            if far or "," in between or not _CONTAINER.search(between):
                continue
            _inherit(m, c)
            m.prior = c.prior
            break
    for i, m in enumerate(mentions):
        clause = _clause_of(clauses, m.trigger[0])
        opener = text[clause[0] : m.trigger[0]]
        if i == 0 or not _RELATIVE_OPENER.match(opener):
            continue
        _inherit(m, mentions[i - 1])
    for m in mentions:
        if m.type != "meeting" or m.status == "occurred":
            continue
        visits = [v for v in mentions if v.type == "visit" and v.status != m.status]
        if visits:
            m.container = visits[0]


def _anchor_gaps(doc: Document, mentions: list[Mention]) -> None:
    """ "X comes three months after his previous trip": the later-named event is dated from the
    first one once that has a date (GUIDELINES §5, durations)."""
    for i, a in enumerate(mentions):
        for b in mentions[i + 1 :]:
            if b.date is not None:
                continue
            gap = _GAP.search(doc.text, a.trigger[1], b.trigger[0])
            if gap is None or doc.words_between(gap.end(), b.trigger[0]) > 13:
                continue
            n = number_value(gap.group("n"))
            if n is None:
                continue
            exact = gap.group("hedge") is None and gap.group("unit").lower().startswith("day")
            b.anchor = (a, n, gap.group("unit"), gap.group("text"), exact)
            break


def _inherit(m: Mention, c: Mention) -> None:
    m.date = m.date or c.date
    m.location = m.location or c.location
    if not m.participants:
        m.participants = list(c.participants)


def _previous_actor(doc: Document, table: EntityTable, pos: int, start: int) -> str | None:
    """What "it"/"they" most likely refers to: the last organisation or country acting before
    it, in this sentence or just before (a nationality only with its forces: "the Kenyan army")."""
    lo = max(doc.sentence_start(start, back=1), doc.words_back(start, 48))
    for m in reversed(table.in_span(lo, pos)):
        rec = table.get(m.key)
        if rec.type not in ("organization", "country") or m.role == "place":
            continue
        if m.role == "modifier" and not _forces_follow(doc, m.end):
            continue
        return rec.name
    return None


def _hedged_in_sentence(text: str, sentence: Sentence, s: int, triggers: list[Trigger]) -> bool:
    """ "X visited Y, which has not been confirmed": a denial or non-confirmation in the sentence
    bears on the mention it follows, not on one told after it."""
    for hedge in _SENTENCE_HEDGE.finditer(text, sentence.start, sentence.end):
        if hedge.start() < s:
            if not any(hedge.end() <= t[0] < s for t in triggers):
                return True
        elif not any(s < t[0] < hedge.start() for t in triggers):
            return True
    return False


def _forces_follow(doc: Document, end: int) -> bool:
    """A nationality adjective that names its state's forces or body ("Kenyan troops"), also
    when coordinated ("Armenian and Azerbaijani troops")."""
    text = doc.text
    if _FORCES_AFTER.match(text[end : doc.after(end, 3)]):
        return True
    other = _COORDINATED.match(text, end)
    return other is not None and bool(
        _FORCES_AFTER.match(text[other.end() : doc.after(other.end(), 3)])
    )


def _antecedent(doc: Document, table: EntityTable, start: int, end: int) -> str | None:
    """What "who"/"which" opening a clause refers to: the last name before it."""
    names = [
        m
        for m in table.in_span(start, end)
        if m.role != "modifier" and doc.words_between(m.end, end) <= 12
    ]
    if not names or table.get(names[-1].key).type == "location":
        return None
    return table.get(names[-1].key).name


def _main_countries(table: EntityTable) -> list[str]:
    """The two countries an article is about ("both sides", "the two nations")."""
    if table.main_countries is None:
        table.main_countries = _count_main_countries(table)
    return table.main_countries


def _count_main_countries(table: EntityTable) -> list[str]:
    counts: dict[str, int] = {}
    for m in table.mentions:
        rec = table.get(m.key)
        if rec.type == "country" and m.role != "place":
            counts[rec.name] = counts.get(rec.name, 0) + 1
    ranked = sorted(counts, key=lambda n: (-counts[n], n))
    return ranked[:2] if len(ranked) >= 2 else []


_PRONOUN_REACH = (6, 130)
"""How far back a pronoun's antecedent is looked for, in sentences and at most in words: the
look-up stays local and the article linear in length."""


def _people_before(doc: Document, table: EntityTable, pos: int) -> list[NameMention]:
    """The people named (not as a modifier) in the sentences a pronoun at `pos` may refer to."""
    sentences, words = _PRONOUN_REACH
    lo = max(doc.sentence_start(pos, back=sentences), doc.words_back(pos, words))
    return [
        m
        for m in table.in_span(lo, pos)
        if table.get(m.key).type == "person" and m.role != "modifier"
    ]


def _previous_people(doc: Document, table: EntityTable, pos: int, sentence: Sentence) -> list[str]:
    """The people "their"/"they" most likely refers to: the persons named earlier in this
    sentence, else in the previous sentence that names two or more."""
    people = _people_before(doc, table, pos)
    here = list(dict.fromkeys(table.get(m.key).name for m in people if m.start >= sentence.start))
    if len(here) >= 2:
        return here
    if not people:
        return []
    cut = doc.sentence_start(people[-1].start)
    return list(dict.fromkeys(table.get(m.key).name for m in people if m.start >= cut))


def _previous_person(doc: Document, table: EntityTable, pos: int) -> str | None:
    """The person a pronoun most likely refers to: the first person (the subject) of the
    nearest earlier sentence that names one."""
    people = _people_before(doc, table, pos)
    if not people:
        return None
    cut = doc.sentence_start(people[-1].start)
    same = [m for m in people if m.start >= cut]
    return table.get(same[0].key).name


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " ,;:—–":
        end -= 1
    while start < end and text[start] in " ,;:":
        start += 1
    return start, end


def trigger_head(m: Mention) -> str:
    """The trigger's verb: the lemma of its first word, or of its last after a modal ("will
    appeal"), so "wins" in a headline and "won" in the body are one verb."""
    words = m.sentence.text[m.trigger[0] - m.sentence.start : m.trigger[1] - m.sentence.start]
    parts = words.split() or [words]
    word = parts[-1] if m.rule == "other.generic-future" else parts[0]
    return lemma(word.lower().strip(".,;:'\"’”"))


ONE_ACTOR = types_in("speech") | {"aid"}
"""Types whose first participant is the one who acts (speaks, pledges): another first one is
another happening. Arms and technology transfers are told from either side ("X supplied",
"Y received"), so their first participant is not always the giver."""


def _one_happening(m: Mention, o: Mention) -> bool:
    """Two `other` mentions of a sentence tell one happening: the same rule's, and for a
    general verb the same verb ("tore through … and forced" are two)."""
    if m.happening != o.happening:
        return False
    return not m.rule.startswith("other.generic-") or trigger_head(m) == trigger_head(o)


def _leaves_after(m: Mention) -> bool:
    """ "will meet the president before leaving for Lima": the talks are held where the
    traveller is, not on the trip the sentence goes on to."""
    before = m.sentence.text[: m.trigger[0] - m.sentence.start]
    return bool(re.search(r"\bbefore\s+$", before))


def _fold_sentence(mentions: list[Mention]) -> list[Mention]:
    """In one sentence: one mention per type unless dates or referents differ; talks held
    during a visit with the same status belong to the visit (GUIDELINES §1)."""
    out: list[Mention] = []
    for m in mentions:
        target = None
        for o in out:
            if m.ordinal and o.type == m.type and o.status == m.status:
                target = o  # "his second visit": a count describes the event, adds none
                m.date = None
                break
            same_type = o.type == m.type and (m.type != "other" or _one_happening(m, o))
            folds_into_visit = o.type == "visit" and m.type == "meeting" and o.status == m.status
            if not (same_type or folds_into_visit):
                continue
            if m.date and o.date and m.date.value != o.date.value:
                continue
            if m.prior != o.prior or m.distinct or (m.anchor and m.anchor[0] is o):
                continue
            if m.location and o.location and m.location != o.location:
                continue
            if m.status != o.status and same_type:
                continue
            target = o
            break
        if target is None:
            if m.type == "visit" and not _leaves_after(m):
                meets = [o for o in out if o.type == "meeting" and o.status == m.status]
                for o in meets:
                    out.remove(o)
                    m.participants = union(m.participants, o.participants)
                    m.date = m.date or o.date
            out.append(m)
            continue
        target.participants = union(target.participants, m.participants)
        target.date = target.date or m.date
        target.location = target.location or m.location
        target.quantities = target.quantities or m.quantities
        target.bare = target.bare and m.bare
        if m.kind == "verb":
            target.kind = "verb"
    return out


def union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))
