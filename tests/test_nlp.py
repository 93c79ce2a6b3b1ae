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
