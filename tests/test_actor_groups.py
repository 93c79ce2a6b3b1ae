"""Parties named together by number ("both sides", "the three governments") become one
mention per party (src/detente/actors/groups.py), with sentences the team wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.actors import ActorResolver, find_mentions

DAY = dt.date(2015, 3, 20)


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver()


def groups(nlp, resolver, text: str) -> dict[str, list[str]]:
    found = find_mentions(nlp(text), DAY, resolver)
    out: dict[str, list[str]] = {}
    for mention in found:
        if mention.kind == "group":
            out.setdefault(mention.text, []).append(mention.code)
    return out


def test_both_sides_are_the_two_parties_named_before(nlp, resolver) -> None:
    text = ("Chile and Peru signed a fisheries accord on Monday. "
            "Both sides agreed to meet again in May.")
    assert groups(nlp, resolver, text) == {"Both sides": ["CHL", "PER"]}


def test_a_numbered_group_takes_that_many_parties_and_skips_meeting_places(
        nlp, resolver) -> None:
    text = ("The finance ministers of Brazil, Argentina and Chile met in Lima. "
            "The three governments pledged to cut tariffs.")
    assert groups(nlp, resolver, text) == {"The three governments": ["BRA", "ARG", "CHL"]}


def test_a_bare_number_names_the_parties_unless_a_noun_follows(nlp, resolver) -> None:
    text = "Bolivia, Chile and Peru met in Quito on Friday. The three agreed to a joint patrol."
    assert groups(nlp, resolver, text) == {"The three": ["BOL", "CHL", "PER"]}
    assert groups(nlp, resolver, "Chile bought the two banks from Peru last year.") == {}


def test_no_guess_without_enough_parties_or_for_sides_of_a_thing(nlp, resolver) -> None:
    assert groups(nlp, resolver, "Chile said both sides should show restraint.") == {}
    text = "Chile and Peru argued after floods hit both sides of the river."
    assert groups(nlp, resolver, text) == {}
