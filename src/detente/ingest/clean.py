"""Cleaning of pasted web text: boilerplate lines out, whitespace normalised,
and a cheap English check (the coder's models and patterns are English-only)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import islice

# Lines that survive copy-and-paste from news sites and carry no content.
BOILERPLATE = [re.compile(p, re.IGNORECASE) for p in (
    r"^(recent|latest|more|top) (features|stories|articles|posts)$",
    r"\b(job listings|job board|careers? (page|section))\b",
    r"javascript (has been|is) disabled",
    r"enable javascript",
    r"^(credit|image credit|photo credit|photo|image)s?\s*:",
    r"^(share|tweet|email|print|subscribe|follow us|sign up|log ?in|register)\b.{0,60}$",
    r"^(share this|share on|subscribe to|subscribe now|get the newsletter)",
    r"^advertisement$",
    r"^related( articles| stories| content)?:?$",
    r"^read more:?$",
    r"^(cookie|cookies|we use cookies)\b",
    r"^all rights reserved",
    r"^copyright\b",
    r"^Â?©",
    r"^\w+ (report|desk|brief)$",
    r"^external page",
    r"^[\w ]+( \| [\w ]+)+$",
    r"^(features|opinion|analysis|news|commentary)$",
    r"^publication: .{0,80}(volume|issue)",
)]

# Frequent English function words; their share of tokens tells English text apart.
ENGLISH_WORDS = frozenset({
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was",
    "by", "it", "at", "from", "be", "this", "are", "have", "has", "its", "an", "not",
    "or", "which", "but", "were", "their", "been", "will", "his", "after", "also",
    "would", "had"
})

WORD = re.compile(r"[^\W\d_]+")
# Tabs and no-break spaces, read as spaces.
SPACES = str.maketrans({"\t": " ", "\u00a0": " "})

# A wire dateline opening a paragraph: "MOSCOW - ", "SOCHI, Russia - ", "TOKYO, March 3 (Reuters) -".
DATELINE = re.compile(
    r"^(?P<dateline>[A-Z][A-Z.'\- ]{2,30}(?:, [A-Z][\w. ]{1,30})?(?:, \w+ \d{1,2})?"
    r"(?: \([^)]{1,30}\))?) [-–—] (?=[A-Z\"“])")


def split_dateline(line: str) -> str:
    """Put a dateline on its own line, so "MOSCOW - Japanese Prime Minister Shinzo Abe"
    is not read as one name."""
    return DATELINE.sub(lambda m: m["dateline"] + " -\n", line, count=1)


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and any(p.search(stripped) for p in BOILERPLATE)


def unwrap(text: str) -> str:
    """Join hard-wrapped lines (wire copy folded at ~70 columns) back into paragraphs, so
    that a line break can end a sentence everywhere else. Paragraphs are separated by a
    blank line or start with an indented line."""
    lines = text.split("\n")
    body = [line.rstrip() for line in lines if line.strip()]
    if len(body) < 4:
        return text
    folded = sum(1 for line in body
                 if 35 <= len(line) <= 90 and not line.endswith((".", "!", "?", ":", '"', "”")))
    if folded / len(body) < 0.5:
        return text
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if (not line.strip() or line.startswith(("  ", "\t"))) and paragraphs[-1]:
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def single_spaced(line: str) -> str:
    """The line stripped, each run of spaces, tabs and no-break spaces made one space.
    (`re.sub` would hold a piece per run: 13 times a one-line document's size.)

    >>> single_spaced("  Oslo\t\u00a0 and  Lima ")
    'Oslo and Lima'
    """
    line = line.translate(SPACES)
    while "  " in line:
        line = line.replace("    ", " ").replace("  ", " ")
    return line.strip()


def clean_text(text: str, title: str = "") -> str:
    """Drop boilerplate lines and repeated title lines; keep paragraph breaks."""
    text = unwrap(text.replace("\r\n", "\n"))
    kept: list[str] = []
    seen_short: set[str] = set()
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = single_spaced(raw)
        if is_boilerplate(line):
            continue
        line = split_dateline(re.sub(r"\bexternal page(?=\S)", "", line))
        # Pasted pages repeat their title and kicker lines; keep the first copy only.
        # (at most 13 parts: a one-line document is never split into all its words)
        if line and len(line.split(maxsplit=12)) <= 12 and not line.endswith((".", '"', "”")):
            key = line.lower()
            if key in seen_short or (title and key == title.strip().lower() and kept):
                continue
            seen_short.add(key)
        kept.append(line)
    cleaned = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


def english_share(text: str, sample_words: int = 2000) -> float:
    """Share of English function words among the lower-case words (names and tables
    of capitalised company names say nothing of the language); all words when a text
    has fewer than ten lower-case ones."""
    words = [m.group() for m in islice(WORD.finditer(text), sample_words)]
    lower = [w for w in words if w.islower()]
    chosen = lower if len(lower) >= 10 else [w.lower() for w in words]
    if not chosen:
        return 0.0
    return sum(w in ENGLISH_WORDS for w in chosen) / len(chosen)


DIGIT = re.compile(r"\d")
# Writing systems named by the first word of their letters' Unicode names, and the
# language (or languages) each stands for in a message.
SCRIPTS = {
    "CJK": "Chinese", "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HANGUL": "Korean",
    "CYRILLIC": "Cyrillic-script (Russian, Ukrainian, ...)",
    "ARABIC": "Arabic-script (Arabic, Persian, Urdu, ...)", "HEBREW": "Hebrew",
    "GREEK": "Greek", "DEVANAGARI": "Devanagari-script (Hindi, Marathi, Nepali, ...)",
    "BENGALI": "Bengali", "TAMIL": "Tamil", "THAI": "Thai", "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian", "ETHIOPIC": "Ethiopic-script (Amharic, Tigrinya, ...)",
}


def script_language(text: str, sample: int = 5000) -> str | None:
    """The language a text's letters are written for, when most are not Latin: a guess by
    Unicode script ("Japanese" when kana appear among Chinese characters); None for
    Latin-script text and for fewer than ten letters.

    >>> script_language("Токио и Москва провели переговоры")
    'Cyrillic-script (Russian, Ukrainian, ...)'
    """
    counts: Counter[str] = Counter()
    for char in islice((c for c in text if c.isalpha()), sample):
        counts[unicodedata.name(char, "UNKNOWN").split()[0]] += 1
    total = sum(counts.values())
    if total < 10 or counts["LATIN"] / total >= 0.5:
        return None
    if counts["HIRAGANA"] + counts["KATAKANA"] >= 0.05 * total:
        return "Japanese"
    script = max((k for k in counts if k != "LATIN"), key=counts.__getitem__)
    return SCRIPTS.get(script, f"{script.title()}-script")


def looks_like_table(text: str, sample_lines: int = 200) -> bool:
    """A table of figures, not prose: short lines (a median under 60 characters), at least
    three, two in five of them or more holding a figure ("Net 12.6 mln vs 15.8 mln")."""
    lines = [line for line in islice((x.strip() for x in text.split("\n", sample_lines)),
                                     sample_lines) if line]
    if len(lines) < 3 or sorted(map(len, lines))[len(lines) // 2] >= 60:
        return False
    with_figures = sum(bool(DIGIT.search(line)) for line in lines)
    return with_figures >= 0.4 * len(lines)


def looks_english(text: str) -> bool:
    """English prose has ~25-40% function words; other languages have almost none.
    Headline-length texts are too short to tell and pass."""
    if len(text.split(maxsplit=25)) < 25:  # (not split into all its words)
        return True
    return english_share(text) >= 0.12
