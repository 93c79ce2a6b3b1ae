"""A person named in full and then by surname alone (src/detente/actors/names.py), with
sentences the team wrote."""

from __future__ import annotations

import datetime as dt

from detente.actors import ActorResolver, find_mentions

DAY = dt.date(2015, 3, 20)


def test_a_bare_surname_is_the_person_named_earlier(nlp) -> None:
    text = ("Chilean Foreign Minister Tomas Varela arrived in Lima on Monday. "
            "Varela later met Peruvian officials.")
    found = find_mentions(nlp(text), DAY, ActorResolver())
    later = [m for m in found if m.text == "Varela"]
    assert [(m.code, m.kind) for m in later] == [("CHL", "person")]
    assert "named earlier" in later[0].reason


def test_a_surname_before_the_full_name_is_not_linked(nlp) -> None:
    text = ("Varela was not in Lima. Chilean Foreign Minister Tomas Varela "
            "stayed in Santiago.")
    found = find_mentions(nlp(text), DAY, ActorResolver())
    # spaCy finds the first "Varela" as a person the registry lacks: it stays unresolved.
    assert [m.code for m in found if m.text == "Varela"] == [None]
