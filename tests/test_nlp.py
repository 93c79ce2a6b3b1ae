"""Sentence boundaries of the spaCy pipeline (`detente.nlp`)."""

from __future__ import annotations


def sentences(nlp, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(text).sents]


def test_a_line_break_ends_a_sentence(nlp) -> None:
    text = "Chile and Peru sign a fisheries accord\n\nChile and Peru signed an accord."
    assert sentences(nlp, text) == ["Chile and Peru sign a fisheries accord",
                                    "Chile and Peru signed an accord."]


def test_a_sentence_starts_only_after_an_end_mark(nlp) -> None:
    # The parser alone cut such a lead into "Greece", "and" and the rest.
    text = ("Greece and Turkey pull back warships from disputed islet\n\n"
            "Greece and Turkey withdrew warships from around a disputed rocky islet "
            "in the Aegean Sea on Wednesday.")
    assert sentences(nlp, text)[1].startswith("Greece and Turkey withdrew")
    assert len(sentences(nlp, text)) == 2


def test_end_marks_inside_abbreviations_and_quotes_still_end_sentences(nlp) -> None:
    text = ('Sanctions were imposed by the U.S. The talks ended. '
            '"We are not happy." Peru said so.')
    assert sentences(nlp, text) == ["Sanctions were imposed by the U.S.", "The talks ended.",
                                    '"We are not happy."', "Peru said so."]


def heads(nlp, text: str) -> dict[str, tuple[str, str]]:
    return {t.text: (t.dep_, t.head.text) for t in nlp(text)}


def test_a_fronted_date_with_no_comma_leaves_the_subject_to_its_verb(nlp) -> None:
    # The parser alone set "Chile" in apposition to "October": no subject for "agreed".
    parsed = heads(nlp, "On 9 October Chile and Peru agreed to reopen the border.")
    assert parsed["Chile"] == ("nsubj", "agreed")
    assert parsed["October"] == ("pobj", "On")


def test_a_fronted_date_with_no_comma_dates_the_verb_not_the_noun_after_it(nlp) -> None:
    # The parser alone set "August" to modify "Ruiz", and "12" and "April" under "OPEC".
    parsed = heads(nlp, "On 13 August 2019 President Ruiz announced a new cabinet.")
    assert parsed["August"] == ("pobj", "On")
    assert parsed["Ruiz"] == ("nsubj", "announced")
    parsed = heads(nlp, "On 12 April OPEC and its allies agreed to cut output.")
    assert parsed["April"] == ("pobj", "On") and parsed["12"] == ("nummod", "April")
    assert parsed["OPEC"] == ("nsubj", "agreed")
    assert heads(nlp, "On Monday Chile recalled its envoy.")["Monday"] == ("pobj", "On")


def test_a_fronted_date_the_parser_reads_right_is_left_alone(nlp) -> None:
    for text in ("On 9 October, Chile and Peru agreed to reopen the border.",
                 "In 1990 Chile and Peru restored relations.",
                 "On Monday, Chile recalled its envoy from Lima.",
                 "Chile and Peru agreed on 9 October to reopen the border."):
        with nlp.select_pipes(disable=["fronted_dates"]):
            alone = heads(nlp, text)
        assert heads(nlp, text) == alone, text
