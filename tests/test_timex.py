"""Date expressions resolved against a publication date (sentences written for these tests)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventbrief.models import TimeValue
from eventbrief.timex import find_dates, resolve

# A Wednesday.
PUBLISHED = dt.date(2024, 10, 9)


def only(text: str, published: dt.date | None = PUBLISHED) -> tuple[str, str | None, bool]:
    matches = find_dates(text, published)
    assert len(matches) == 1, matches
    m = matches[0]
    assert text[m.start : m.end] == m.text
    return m.text, m.value, m.approximate


def test_past_weekday_is_the_latest_such_day_on_or_before_publication() -> None:
    assert only("The envoy landed in Lima on Monday.") == ("on Monday", "2024-10-07", False)
    assert only("Talks ended on Thursday.") == ("on Thursday", "2024-10-03", False)
    assert only("The minister resigned on Wednesday.") == ("on Wednesday", "2024-10-09", False)


def test_future_weekday_is_the_next_such_day() -> None:
    assert only("The summit will open on Friday.") == ("on Friday", "2024-10-11", False)
    assert only("Voting is scheduled for Monday.")[1] == "2024-10-14"
    assert only("Three more flights are planned for Monday.")[1] == "2024-10-14"
    assert only("They meet again next Wednesday.")[1] == "2024-10-16"
    assert only("He spoke last Wednesday.")[1] == "2024-10-02"


def test_month_day_takes_the_publication_year_unless_far_in_the_future() -> None:
    assert only("The deal was signed on June 4.")[1] == "2024-06-04"
    assert only("Ballots were counted on December 28.", dt.date(2025, 1, 3))[1] == "2024-12-28"
    assert only("Parliament reconvenes on January 6.", dt.date(2024, 12, 30))[1] == "2025-01-06"


def test_explicit_and_abbreviated_dates() -> None:
    assert only("On Wednesday, Dec. 21, 2022, the board met.")[1:] == ("2022-12-21", False)
    assert only("The plant opened on 3 March 2021.")[1] == "2021-03-03"
    assert only("Filed 2023-04-05 by the court.")[1] == "2023-04-05"
    assert only("Elections were held in September 2020.")[1] == "2020-09"


def test_vague_parts_are_approximate() -> None:
    assert only("Troops left in late 2022.") == ("in late 2022", "2022", True)
    assert only("Work resumed in early June.") == ("in early June", "2024-06", True)
    assert only("Prices rose in mid-August.")[1:] == ("2024-08", True)
    assert only("Fighting flared earlier this month.") == ("earlier this month", "2024-10", True)
    assert only("It began in the summer of 2019.")[1:] == ("2019", True)


def test_relative_years_and_months() -> None:
    assert only("The pact was signed last year.") == ("last year", "2023", False)
    assert only("It was ratified in June of the previous year.")[1:] == ("2023-06", False)
    assert only("Output has grown since August last year.")[1:] == ("2023-08", False)
    assert only("The ban was lifted last month.")[1] == "2024-09"
    assert only("Exports fell this year.")[1] == "2024"


def test_bare_month_uses_the_nearest_past_year() -> None:
    assert only("The envoy visited in March.")[1] == "2024-03"
    assert only("The envoy visited in November.", dt.date(2025, 2, 1))[1] == "2024-11"


def test_non_dates_are_ignored() -> None:
    assert find_dates("They may meet soon; 2,024 people and 11,000 troops.", PUBLISHED) == []
    assert find_dates("The May Day rally drew crowds.", PUBLISHED) == []


def test_without_publication_date_relative_values_are_null() -> None:
    assert only("He arrived on Tuesday.", None) == ("on Tuesday", None, False)
    assert only("Signed in March 2020.", None)[1] == "2020-03"


def test_resolve_returns_a_time_value() -> None:
    assert resolve("late 2022", PUBLISHED) == TimeValue(
        text="late 2022", value="2022", approximate=True
    )
    assert resolve("on Tuesday", PUBLISHED) == TimeValue(text="on Tuesday", value="2024-10-08")
    assert resolve("no date here", PUBLISHED) is None
    assert resolve("   ", PUBLISHED) is None


@pytest.mark.parametrize("day", range(0, 7))
def test_past_weekday_never_after_publication(day: int) -> None:
    published = PUBLISHED + dt.timedelta(days=day)
    for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        value = only(f"It happened on {name}.", published)[1]
        assert value is not None
        resolved = dt.date.fromisoformat(value)
        assert 0 <= (published - resolved).days <= 6
        assert resolved.strftime("%A") == name


def test_complete_fills_only_missing_values() -> None:
    from eventbrief.timex import complete

    filled = complete(TimeValue(text="on Tuesday"), PUBLISHED)
    assert filled == TimeValue(text="on Tuesday", value="2024-10-08")
    kept = TimeValue(text="on Tuesday", value="2024-10-01")
    assert complete(kept, PUBLISHED) is kept
    vague = complete(TimeValue(text="in late 2022"), PUBLISHED)
    assert (vague.value, vague.approximate) == ("2022", True)
    unknown = TimeValue(text="at dawn")
    assert complete(unknown, PUBLISHED) is unknown


def test_shift_moves_at_the_unit_granularity() -> None:
    from eventbrief.timex import shift

    assert shift("2024-10-09", -1, "week") == "2024-10-02"
    assert shift("2024-10-09", -3, "months") == "2024-07"
    assert shift("2024-01", -2, "months") == "2023-11"
    assert shift("2024", -2, "years") == "2022"
    assert shift("2024-10", -5, "days") is None


def test_tense_picks_the_year_of_a_date_without_one() -> None:
    assert only("The delegation arrived on November 20.")[1] == "2023-11-20"
    assert only("The summit will open on March 3.")[1] == "2025-03-03"
    assert only("Talks resumed in December.")[1] == "2023-12"
    assert only("The plant will reopen in February.")[1] == "2025-02"
    assert only("Ballots on November 5 will decide the race.")[1] == "2024-11-05"


DATE_TEXT = (
    "on in since by of last this next early late the end of mid spring summer autumn fall "
    "winter year years month months week weeks ago a two 3 4th 17 2023 1999 20 19 today "
    "tonight Monday June May may Sept. Dec decision market previous past following earlier "
    "later about nearly , . - the year before"
)
DATE_WORDS = [*DATE_TEXT.split(), "wee\u212a", "YEAR", "Ago"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(DATE_WORDS), max_size=14))
def test_the_cheap_word_tests_never_change_what_is_found(words: list[str]) -> None:
    """A pattern skipped for lack of a word it needs ("year", a digit) would have found
    nothing: the dates are those of running every pattern whose anchor is there."""
    from eventbrief import timex

    text = " ".join(words)
    filtered = find_dates(text, PUBLISHED)
    needs, needs_digit = timex._NEEDS, timex._NEEDS_DIGIT
    try:
        timex._NEEDS, timex._NEEDS_DIGIT = {}, frozenset()
        unfiltered = find_dates(text, PUBLISHED)
    finally:
        timex._NEEDS, timex._NEEDS_DIGIT = needs, needs_digit
    assert filtered == unfiltered


def test_past_ability_is_not_future() -> None:
    """'could not', 'might have', 'may have' tell the past; 'could be approved' the future."""
    published = dt.date(2024, 7, 10)
    cases = {
        "Residents could not leave their homes on Monday.": "2024-07-08",
        "Crews could not reach the village in June.": "2024-06",
        "The ship might have sunk on Monday.": "2024-07-08",
        "The loan could be approved by June.": "2025-06",
    }
    for text, value in cases.items():
        assert [d.value for d in find_dates(text, published)] == [value], text


def test_the_following_year_counts_from_the_date_told_before_it() -> None:
    published = dt.date(2026, 1, 14)
    text = "The group bought the haulier in March 2023 and cut 600 jobs there the following year."
    assert [d.value for d in find_dates(text, published)] == ["2023-03", "2024"]
    assert [d.value for d in find_dates("Talks resume the following year.", published)] == ["2027"]
    assert [d.value for d in find_dates("The fund grows next year.", published)] == ["2027"]
