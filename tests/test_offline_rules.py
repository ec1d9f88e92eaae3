"""Each rule family of the offline backend on sentences written for these tests."""

from __future__ import annotations

import datetime as dt
import time

from eventbrief.backends.offline import extract_article
from eventbrief.backends.offline.attribution import find_credits, register_sources
from eventbrief.backends.offline.countries import country_index
from eventbrief.backends.offline.names import find_entities
from eventbrief.backends.offline.quantities import find_quantities
from eventbrief.backends.offline.salience import compress, lead_summary, pick_takeaways
from eventbrief.backends.offline.sentences import split_sentences
from eventbrief.backends.offline.status import status_of
from eventbrief.models import ArticleExtraction

PUBLISHED = dt.date(2024, 10, 9)


def entities(text: str) -> dict[str, tuple[str, list[str], str | None]]:
    table = find_entities(text, split_sentences(text))
    register_sources(text, table)
    return {r.name: (r.type, r.aliases, r.description) for r in table.records.values()}


def test_sentences_keep_offsets_and_abbreviations() -> None:
    text = (
        "Storm hits coast\n\nMr. Diaz met Gen. Ortiz in the U.S. capital. They spoke.\n- a bullet"
    )
    sentences = split_sentences(text)
    assert [s.kind for s in sentences] == ["title", "body", "body", "bullet"]
    assert sentences[1].text == "Mr. Diaz met Gen. Ortiz in the U.S. capital."
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_quantity_with_approximation() -> None:
    text = "Officials said approximately 11,000 troops crossed the river."
    (q,) = find_quantities(text)
    assert q.quantity.value == 11000
    assert q.quantity.unit == "troops"
    assert q.quantity.text == "approximately 11,000 troops"
    assert q.quantity.approximate is True
    assert text[q.start : q.end] == q.quantity.text


def test_quantities_money_words_and_non_quantities() -> None:
    money = find_quantities("The bank pledged $2.5 billion in loans.")
    assert [(m.quantity.value, m.quantity.unit) for m in money] == [(2.5e9, "dollars")]
    words = find_quantities("Rebels fired five rockets at the base.")
    assert [(m.quantity.value, m.quantity.approximate) for m in words] == [(5, False)]
    assert find_quantities("The two countries met in 2023 for three hours.") == []
    assert find_quantities("Thousands of troops massed at the border.") == []


def test_status_cues() -> None:
    assert status_of("The army is believed to have shipped drones") == "alleged"
    assert status_of("The rebels reportedly seized the airport") == "alleged"
    assert status_of("The minister is expected to travel to Oslo") == "planned"
    assert status_of("The leaders will sign the accord") == "planned"
    assert status_of("There is speculation about a possible summit") == "speculated"
    assert status_of("The envoy arrived in Oslo") == "occurred"


def test_attribution_according_to_and_reported_by() -> None:
    text = "The convoy reached the city on Monday, according to Reuters."
    table = find_entities(text, split_sentences(text))
    register_sources(text, table)
    credits = find_credits(text, 0, len(text), table)
    assert [c.names for c in credits] == [("Reuters",)]
    other = "Rebels shelled the port, as reported by the state news agency Prensa Sur."
    table = find_entities(other, split_sentences(other))
    register_sources(other, table)
    assert [c.names for c in find_credits(other, 0, len(other), table)] == [("Prensa Sur",)]


def test_attribution_splits_coordinated_descriptors() -> None:
    text = "Reports from Canadian and Dutch officials indicate that the plant was closed."
    table = find_entities(text, split_sentences(text))
    credits = find_credits(text, 0, len(text), table)
    assert credits[0].names == ("Canadian officials", "Dutch officials")


def test_people_titles_and_short_forms_resolve() -> None:
    text = (
        "Kenyan President Amina Odhiambo met Foreign Minister Lars Eklund in Nairobi. "
        "Mr. Eklund said the talks went well, and Odhiambo agreed."
    )
    found = entities(text)
    assert found["Amina Odhiambo"] == ("person", ["Odhiambo"], "Kenyan President")
    assert found["Lars Eklund"][0] == "person"
    assert found["Lars Eklund"][2] == "Foreign Minister"
    assert "Eklund" in found["Lars Eklund"][1]
    assert found["Kenya"][0] == "country"
    assert found["Nairobi"][0] == "location"


def test_hyphenated_and_unhyphenated_name_are_one_person() -> None:
    text = (
        "Rally in the south\n"
        "Opposition leader Park Min-jun arrived in Busan on Friday. "
        "Supporters greeted Park Min Jun at the station."
    )
    found = entities(text)
    people = [name for name, (etype, _a, _d) in found.items() if etype == "person"]
    assert people == ["Park Min-jun"]
    assert found["Park Min-jun"][1] == ["Park Min Jun"]
    assert found["Park Min-jun"][2] == "Opposition leader"


def test_acronym_and_full_name_are_one_organisation() -> None:
    text = (
        "The International Rescue Committee (IRC) opened a clinic in Goma. "
        "The IRC said staff would stay."
    )
    found = entities(text)
    assert found["International Rescue Committee"] == ("organization", ["IRC"], None)
    assert "IRC" not in found


def test_country_forms_from_maintained_data() -> None:
    index = country_index()
    assert index.countries[index.by_name["Russian Federation"]].name == "Russia"
    assert index.by_name["DPRK"] == index.by_name["North Korea"]
    assert index.by_demonym["Ukrainian"] == "UA"
    assert index.by_demonym["Kenyan"] == "KE"
    assert index.by_capital["Nairobi"] == "KE"
    text = "The Syrian Arab Republic and Syria are one state."
    assert entities(text)["Syrian Arab Republic"] == ("country", ["Syria"], None)
    assert entities("Syrian troops moved.")["Syria"] == ("country", [], None)


def test_capital_as_actor_is_its_country_but_not_an_alias() -> None:
    found = entities("Ottawa and Canberra agreed to share data. The envoy flew to Ottawa.")
    assert found["Canada"][1] == []
    assert found["Ottawa"][0] == "location"


def test_events_typed_from_general_triggers() -> None:
    text = (
        "Nation watch\n\n"
        "Peruvian Foreign Minister Rosa Quispe arrived in Quito on Monday for talks with "
        "Ecuadorian President Mateo Vera, according to Reuters.\n"
        "The two leaders signed a border agreement on Tuesday.\n"
        "Ecuador is believed to have supplied weapons to border militias in late 2022.\n"
        "The Andean Monitoring Group (AMG) released a report on smuggling in March.\n"
    )
    extraction = extract_article(text, PUBLISHED)
    by_type = {e.type: e for e in extraction.events}
    visit = by_type["visit"]
    assert visit.participants[:2] == ["Rosa Quispe", "Mateo Vera"]
    assert visit.location == "Quito"
    assert visit.date is not None and visit.date.value == "2024-10-07"
    assert visit.attributed_to == ["Reuters"]
    assert by_type["agreement"].date is not None
    assert by_type["agreement"].date.value == "2024-10-08"
    arms = by_type["arms_transfer"]
    assert arms.status == "alleged"
    assert arms.date is not None and (arms.date.value, arms.date.approximate) == ("2022", True)
    report = by_type["report_release"]
    assert report.participants == ["Andean Monitoring Group"]
    assert report.date is not None and report.date.value == "2024-03"
    assert "meeting" not in by_type  # talks on the trip fold into the visit


def test_mentions_of_one_visit_merge() -> None:
    text = (
        "Envoy in Accra\n\n"
        "Swedish envoy Ingrid Holm arrived in Accra on Monday.\n"
        "Holm's visit follows a trade dispute.\n"
        "During the trip, Holm toured a port.\n"
        "Holm previously visited Ghana in March.\n"
    )
    extraction = extract_article(text, PUBLISHED)
    visits = [e for e in extraction.events if e.type == "visit"]
    assert len(visits) == 2
    current, earlier = visits
    assert current.date is not None and current.date.value == "2024-10-07"
    assert len(current.evidence) >= 2
    assert earlier.date is not None and earlier.date.value == "2024-03"


def test_background_nouns_are_not_events() -> None:
    text = (
        "Markets\n\n"
        "Ghana's economy has grown amid the ongoing war in the region and in exchange for "
        "arms supplies that were never detailed.\n"
        "The country faces sanctions over its debt.\n"
    )
    extraction = extract_article(text, PUBLISHED)
    assert extraction.events == []


def test_compression_and_summary_limits() -> None:
    sentence = "Lima, May 3 (Wire) The mayor, a former judge, has resigned, according to Reuters."
    assert compress(sentence) == "The mayor has resigned."
    long_text = " ".join(
        f"Sentence number {i} says something about the harbour works." for i in range(40)
    )
    sentences = split_sentences("Headline\n" + long_text)
    assert len(lead_summary(sentences).split()) <= 80
    assert 3 <= len(pick_takeaways(sentences)) <= 7


def test_short_article_still_validates() -> None:
    for text in ("Quake hits.", "Rain.\nFloods close roads in Lima.", "x"):
        extraction = extract_article(text, PUBLISHED)
        assert 3 <= len(extraction.key_takeaways) <= 7
        ArticleExtraction.model_validate(extraction.model_dump())


def test_odd_inputs_never_break_validation() -> None:
    odd = [
        "123 456 789",
        "—",
        "ÉLYSÉE: «Le président a parlé» 東京 — 2024",
        "WORDS IN CAPITALS ONLY. NOTHING ELSE HAPPENS HERE.",
        "(AP)",
        "Mr.",
        "A" * 5000,
        "On Monday on Tuesday on Wednesday in March last year.",
    ]
    for text in odd:
        extraction = extract_article(text, PUBLISHED)
        ArticleExtraction.model_validate(extraction.model_dump())
        for event in extraction.events:
            assert all(q.quote in text for q in event.evidence)


def test_long_article_stays_linear_enough() -> None:
    paragraph = (
        "Norwegian Foreign Minister Eva Lund arrived in Riga on Monday for talks with "
        "Latvian President Karlis Berzins, according to Reuters. The two sides signed a "
        "fisheries agreement on Tuesday. Latvia is believed to have bought 40 drones.\n"
    )
    text = "Baltic talks\n" + paragraph * 300  # about 70,000 characters
    started = time.perf_counter()
    extraction = extract_article(text, PUBLISHED)
    assert time.perf_counter() - started < 10
    assert {e.type for e in extraction.events} >= {"visit", "agreement", "arms_transfer"}


def test_duration_after_a_dated_event_dates_the_earlier_one() -> None:
    text = (
        "Envoy returns\n\n"
        "Finnish envoy Aino Virtanen arrived in Hanoi on Monday.\n"
        "Virtanen's visit comes three months after her previous trip to Vietnam.\n"
        "This meeting follows just a week after Virtanen met Thai officials in Bangkok.\n"
    )
    events = extract_article(text, PUBLISHED).events
    dated = sorted((e.date.value, e.date.approximate, e.type) for e in events if e.date is not None)
    assert ("2024-07", True, "visit") in dated  # three months before 2024-10-07
    assert ("2024-09-30", True, "meeting") in dated  # a week before 2024-10-07


def test_credit_forms_and_agency_reference() -> None:
    text = (
        "Port talks\n\n"
        "Danish Trade Minister Jens Holm arrived in Lagos on Friday, the Nordic Press Agency "
        "(NPA) reported.\n"
        "Holm met Nigerian officials on Saturday, the agency said.\n"
        "Norway's Defence Intelligence Service said last month that Russia had sent about "
        "500 additional instructors to Mali.\n"
    )
    events = extract_article(text, PUBLISHED).events
    by_type = {e.type: e for e in events}
    assert by_type["visit"].attributed_to == ["Nordic Press Agency"]
    assert by_type["meeting"].attributed_to == ["Nordic Press Agency"]
    deployment = by_type["military_deployment"]
    assert deployment.attributed_to == ["Norway's Defence Intelligence Service"]
    assert deployment.participants[0] == "Russia"
    assert [(q.value, q.unit) for q in deployment.quantities] == [(500, "instructors")]


def test_casualties_of_soldiers_are_fighting_but_storm_deaths_are_not() -> None:
    war = "Front line\n\nAt least 200 soldiers were killed in the Donbas region in May.\n"
    storm = "Storm\n\nA cyclone killed 12 people in coastal villages on Sunday.\n"
    assert [e.type for e in extract_article(war, PUBLISHED).events] == ["armed_conflict"]
    assert extract_article(storm, PUBLISHED).events == []
