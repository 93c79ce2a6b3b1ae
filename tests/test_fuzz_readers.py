"""Property-based and fuzz tests of every reader (issue 14): no input may crash a batch.

Every reader, given any input, returns raw documents or raises an InputError, which the
pipeline records against that input; the pipeline turns every input of a folder into a
Document or a Failure, whatever the file holds. Inputs are arbitrary bytes and text, and
mutations (flipped, cut and inserted bytes, extra nesting) of small valid PDF, HTML,
Markdown and JSON documents made here.

The example counts keep each test to a few seconds and the run reproducible in CI; a
longer run by hand draws fresh examples:

    DETENTE_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz_readers.py
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest import make_pdf

from detente.errors import DetenteError, InputError
from detente.ingest.pipeline import Failure, prepared, raw_documents
from detente.ingest.prepare import prepare
from detente.ingest.readers import (
    RawDoc,
    decode_bytes,
    jsonl_document,
    read_html,
    read_jsonl,
    read_pdf,
    read_text,
)
from detente.records import Document

EXAMPLES = int(os.environ.get("DETENTE_FUZZ_EXAMPLES", "0")) or None
fuzz = settings(max_examples=EXAMPLES or 60, deadline=None, database=None,
                derandomize=EXAMPLES is None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ARTICLE = ("Ghana and Togo agreed on Monday to reopen the lagoon border crossing, officials "
           "in Accra said after talks between the two foreign ministers.")
HTML = (f"<html><head><title>Lagoon talks</title><meta name='date' content='2019-06-11'>"
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>Lagoon talks</h1>"
        f"<p>{ARTICLE}</p><p>{ARTICLE.replace('Monday', 'Tuesday')}</p></article>"
        f"<footer>Copyright 2019</footer></body></html>")
MARKDOWN = (f"---\ntitle: Lagoon talks\ndate: 2019-06-11\nsource: wire\n---\n# Lagoon talks\n\n"
            f"**Ghana** and _Togo_ met in [Accra](https://example.org).\n\n- {ARTICLE}\n")
JSON_LINE = json.dumps({"id": "a1", "date": "2019-06-11", "title": "Lagoon talks",
                        "text": ARTICLE})
PDF = make_pdf(ARTICLE)

# JSON values of any shape, for lines and for the fields of a line.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20)


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """`original` with a few bytes flipped, cut, inserted or repeated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 30))] * draw(st.integers(2, 40))
    return bytes(data)


def nested_html(depth: int, tag: str) -> str:
    return HTML.replace(f"<p>{ARTICLE}</p>",
                        f"<{tag}>" * depth + f"<p>{ARTICLE}</p>" + f"</{tag}>" * depth)


def read_or_refuse(read, *args) -> list[RawDoc]:
    """What a reader returns, or [] when it refuses the input with an InputError; any
    other exception fails the test."""
    try:
        result = read(*args)
    except InputError:
        return []
    return result if isinstance(result, list) else [result]


@fuzz
@given(st.binary(max_size=3000))
def test_decode_any_bytes(data):
    for raw in read_or_refuse(lambda: [RawDoc("x", decode_bytes(data, "x.txt"), "txt")]):
        assert isinstance(raw.text, str)


@fuzz
@given(st.text(max_size=3000), st.sampled_from(["txt", "md"]))
def test_read_any_text(text, fmt):
    for raw in read_or_refuse(read_text, text, "x." + fmt, fmt):
        assert all(isinstance(v, str) for v in raw.meta.values())


@fuzz
@given(st.text(alphabet="&*[]{}:,-'\"!|>#%@?~ \nab12\t", max_size=400))
def test_read_any_front_matter(block):
    for raw in read_or_refuse(read_text, f"---\n{block}\n---\n{ARTICLE}", "x.md", "md"):
        assert all(isinstance(v, str) for v in raw.meta.values())


@fuzz
@given(mutated(MARKDOWN.encode()))
def test_read_mutated_markdown(data):
    read_or_refuse(lambda: [read_text(decode_bytes(data, "x.md"), "x.md", "md")])


@fuzz
@given(st.one_of(mutated(HTML.encode()), st.binary(max_size=2000)))
def test_read_mutated_html(data):
    read_or_refuse(lambda: [read_html(decode_bytes(data, "x.html"), "x.html")])


@fuzz
@given(st.integers(200, 5000), st.sampled_from(["div", "span", "section", "blockquote"]))
def test_read_deeply_nested_html(depth, tag):
    for raw in read_or_refuse(read_html, nested_html(depth, tag), "x.html"):
        assert ARTICLE in raw.text


@fuzz
@given(mutated(PDF))
def test_read_mutated_pdf(data):
    read_or_refuse(read_pdf, data, "x.pdf")


@fuzz
@given(st.one_of(st.text(max_size=500), st.binary(max_size=500),
                 mutated(JSON_LINE.encode()),
                 json_values.map(json.dumps),
                 st.fixed_dictionaries({"id": json_values, "text": json_values},
                                       optional={"title": json_values, "date": json_values})
                 .map(json.dumps),
                 st.integers(500, 100_000).map(lambda n: "[" * n + "]" * n)))
def test_read_any_jsonl_line(line):
    try:
        raw = jsonl_document(line, "f.jsonl:1", max_bytes=1_000_000)
    except InputError:
        return
    assert raw is None or (isinstance(raw.text, str) and raw.text)


@fuzz
@given(st.lists(st.one_of(st.binary(max_size=200), mutated(JSON_LINE.encode())), max_size=8))
def test_a_jsonl_stream_yields_one_item_per_line(lines):
    items = list(read_jsonl(iter(lines), "f.jsonl"))
    assert all(isinstance(item, (RawDoc, InputError)) for item in items)
    assert len(items) <= len(lines)


@fuzz
@given(st.text(max_size=2000), st.dictionaries(
    st.sampled_from(["title", "date", "source", "url"]), st.text(max_size=40)))
def test_prepare_any_raw_document(text, meta):
    try:
        doc = prepare(RawDoc("x.txt", text, "txt", meta))
    except DetenteError:
        return
    assert isinstance(doc, Document) and doc.text


@fuzz
@given(st.lists(st.one_of(
    st.tuples(st.just(".pdf"), mutated(PDF)),
    st.tuples(st.just(".html"), mutated(HTML.encode())),
    st.tuples(st.just(".md"), mutated(MARKDOWN.encode())),
    st.tuples(st.just(".txt"), st.binary(max_size=500)),
    st.tuples(st.just(".jsonl"), mutated((JSON_LINE + "\n" + JSON_LINE + "\n").encode()))),
    min_size=1, max_size=6))
def test_a_folder_of_damaged_files_never_stops_the_batch(files):
    """Each file ends as documents or failures that name it, and the good file after the
    damaged ones is always read."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for number, (suffix, data) in enumerate(files):
            (folder / f"{number:02}{suffix}").write_bytes(data)
        (folder / "99-good.txt").write_text(f"Title: Lagoon talks\n\n{ARTICLE}\n")
        items = list(prepared(raw_documents([folder], 1_000_000)))
        assert all(isinstance(item, (Document, Failure)) for item in items)
        names = [Path((item.path if isinstance(item, Document) else item.input)
                      .split(":")[0]).name for item in items]
        whole_files = sorted(p.name for p in folder.iterdir() if p.suffix != ".jsonl")
        assert sorted(n for n in names if not n.endswith(".jsonl")) == whole_files
        assert any(isinstance(item, Document) and item.path.endswith("99-good.txt")
                   for item in items)
