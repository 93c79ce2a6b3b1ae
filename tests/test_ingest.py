"""Ingest: every reader, metadata and dates, idempotence, and every kind of bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente import library
from detente.settings import load_settings
from detente.store import open_store

ARTICLE = """Title: Japan joins sanctions
Source: test wire
Date: 2014-08-05

Japan imposed new sanctions on Russia on Tuesday, freezing the assets of people linked to
the annexation of Crimea. Chief Cabinet Secretary Yoshihide Suga told reporters that the
measures were taken in step with the other members of the Group of Seven.
"""


def settings(tmp_path: Path, **extra):
    return load_settings({"db": tmp_path / "t.duckdb", **extra}, env={})


def ingest(tmp_path: Path, *paths, **extra):
    return library.ingest([str(p) for p in paths], settings=settings(tmp_path, **extra))


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_text_header_metadata_and_idempotence(tmp_path):
    doc = write(tmp_path / "in" / "a.txt", ARTICLE)
    first = ingest(tmp_path, doc)
    assert len(first.added) == 1 and not first.failures
    [info] = library.docs(tmp_path / "t.duckdb")
    assert info.title == "Japan joins sanctions"
    assert info.source == "test wire"
    assert info.date.isoformat() == "2014-08-05" and not info.date_inferred
    assert info.sentences >= 2
    again = ingest(tmp_path, doc)
    assert again.added == [] and again.present == first.added and again.ok
    with open_store(tmp_path / "t.duckdb") as store:
        assert store.count("documents") == 1
        assert store.count("sentences") == info.sentences


@pytest.mark.slow
def test_markdown_front_matter(tmp_path):
    doc = write(tmp_path / "b.md", "---\ntitle: Summit in Sochi\ndate: 2016-05-06\n---\n"
                "# Summit\n\nPrime Minister Shinzo Abe met President Vladimir Putin in **Sochi** "
                "and the two leaders agreed on a new approach to the territorial talks.\n")
    report = ingest(tmp_path, doc)
    assert len(report.added) == 1
    [info] = library.docs(tmp_path / "t.duckdb")
    assert info.title == "Summit in Sochi" and info.date.isoformat() == "2016-05-06"
    with open_store(tmp_path / "t.duckdb") as store:
        text = store.document(info.doc_id)["text"]
    assert "**" not in text and "#" not in text


@pytest.mark.slow
def test_html_main_text_and_metadata(tmp_path):
    body = " ".join(["Japan expelled eight Russian diplomats on Friday in response to the war."] * 6)
    html = f"""<html><head><title>Japan expels diplomats</title>
    <meta name="date" content="2022-04-08"><link rel="canonical" href="https://example.org/a">
    </head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article><h1>Japan expels diplomats</h1><p>{body}</p><p>{body}</p></article>
    <footer>Subscribe to our newsletter. Copyright 2022.</footer></body></html>"""
    report = ingest(tmp_path, write(tmp_path / "c.html", html))
    assert len(report.added) == 1, report.failures
    [info] = library.docs(tmp_path / "t.duckdb")
    assert info.date.isoformat() == "2022-04-08"
    assert info.url == "https://example.org/a"
    with open_store(tmp_path / "t.duckdb") as store:
        text = store.document(info.doc_id)["text"]
    assert "Home" not in text and "newsletter" not in text


@pytest.mark.slow
def test_pdf_text_layer(tmp_path):
    pdf = write(tmp_path / "d.pdf", make_pdf("Japan protested to Russia over the visit of "
                                            "Prime Minister Medvedev to Etorofu in August 2015."))
    report = ingest(tmp_path, pdf)
    assert len(report.added) == 1, report.failures
    [info] = library.docs(tmp_path / "t.duckdb")
    assert info.date_inferred and info.date.year == 2015


@pytest.mark.slow
def test_jsonl_and_stdin_and_malformed_line(tmp_path):
    lines = [json.dumps({"id": "a1", "text": "Russia expelled eight Japanese diplomats "
                         "in response to Tokyo's expulsions.", "date": "2022-04-28",
                         "title": "Russia expels diplomats"}),
             "{not json",
             json.dumps({"id": "a3", "text": "Japan and Russia held talks in Moscow on the "
                         "fishing quota for the coming season.", "date": "2021-03-01"})]
    feed = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    report = ingest(tmp_path, feed)
    assert len(report.added) == 2
    [failure] = report.failures
    assert "feed.jsonl:2" in failure.message and "malformed JSON" in failure.message
    with open_store(tmp_path / "t.duckdb") as store:
        assert store.count("ingest_errors") == 1
    # The same feed from stdin: nothing new, nothing duplicated.
    import io

    again = library.ingest(["-"], settings=settings(tmp_path), stdin=io.StringIO(lines[0]))
    assert again.present and not again.added


@pytest.mark.slow
def test_latin1_and_cp1252_decoded(tmp_path):
    text = "Title: Café diplomacy\nDate: 2016-12-15\n\nPutin met Abe in Nagato; the “new approach” was praised by officials in Tokyo and Moscow alike.\n"
    write(tmp_path / "cp.txt", text.encode("cp1252"))
    write(tmp_path / "l1.txt", text.replace("“", '"').replace("”", '"').replace(
        "Nagato", "Nagato café").encode("latin-1"))
    report = ingest(tmp_path, tmp_path / "cp.txt", tmp_path / "l1.txt")
    assert len(report.added) == 2, report.failures
    titles = {d.title for d in library.docs(tmp_path / "t.duckdb")}
    assert titles == {"Café diplomacy"}


@pytest.mark.parametrize("name,content,expected", [
    ("empty.txt", b"", "is empty"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file"),
    ("nav.html", b"<html><body><nav><a href='/'>Home</a><a href='/x'>News</a></nav></body></html>",
     "no article text"),
    ("scan.pdf", None, "no text layer"),
    ("french.txt", "Le gouvernement japonais a impos\u00e9 des sanctions contre la Russie apr\u00e8s "
     "l'annexion de la Crim\u00e9e, selon le minist\u00e8re des affaires \u00e9trang\u00e8res. "
     "Moscou a d\u00e9nonc\u00e9 une d\u00e9cision hostile et promis une r\u00e9ponse ferme aux "
     "mesures prises par Tokyo.".encode(),
     "not English"),
    ("data.xlsx", b"PK\x03\x04 fake", "unsupported file type"),
])
@pytest.mark.slow
def test_bad_inputs_are_recorded_and_batch_goes_on(tmp_path, name, content, expected):
    good = write(tmp_path / "in" / "good.txt", ARTICLE)
    bad = write(tmp_path / "in" / name, make_pdf(None) if content is None else content)
    report = ingest(tmp_path, tmp_path / "in")
    assert report.added and len(report.added) == 1
    [failure] = report.failures
    assert expected in failure.message and str(bad) in failure.message
    assert failure.hint
    with open_store(tmp_path / "t.duckdb") as store:
        errors = store.errors()
    assert len(errors) == 1 and expected in errors[0]["message"]
    assert good.exists()


def test_unreadable_file_in_directory(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read files without read permission")
    write(tmp_path / "in" / "good.txt", ARTICLE)
    locked = write(tmp_path / "in" / "locked.txt", ARTICLE.replace("Tuesday", "Monday"))
    locked.chmod(0)
    report = ingest(tmp_path, tmp_path / "in")
    assert len(report.added) == 1
    assert "permission denied" in report.failures[0].message


@pytest.mark.slow
def test_dangling_link_in_directory_is_recorded(tmp_path):
    write(tmp_path / "in" / "good.txt", ARTICLE)
    (tmp_path / "in" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    report = ingest(tmp_path, tmp_path / "in")
    assert len(report.added) == 1
    [failure] = report.failures
    assert "gone.txt" in failure.input and "cannot be read" in failure.message


def test_big_file_refused_naming_the_limit(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("w") as handle:
        for _ in range(1_050_000):
            handle.write("Japan and Russia held talks on the islands again. ")
    assert big.stat().st_size > 50_000_000
    report = ingest(tmp_path, big, max_doc_mb=20)
    assert not report.ok
    assert "over the 20 MB limit" in report.failures[0].message
    assert "max_doc_mb" in report.failures[0].hint


def test_nothing_ingested_gives_non_zero_exit(tmp_path):
    from typer.testing import CliRunner

    from detente.cli import app

    write(tmp_path / "empty.txt", "")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty.txt"), "--db",
                                      str(tmp_path / "x.duckdb"), "--quiet"])
    assert result.exit_code == 1
    assert "is empty" in result.output
    assert "nothing could be ingested" in result.output


def test_missing_path_named(tmp_path):
    report = ingest(tmp_path, tmp_path / "nope")
    assert not report.ok and "no such file" in report.failures[0].message


@pytest.mark.subprocess
def test_kill_9_mid_ingest_then_rerun_completes(tmp_path):
    folder = tmp_path / "many"
    for i in range(60):
        # a filing line of its own: no document is a near copy of another, so all are coded
        write(folder / f"doc{i:03}.txt", ARTICLE.replace("Tuesday", f"day number {i}")
              + f"\nFiled as {i * 7919 % 10007}, section {i * 31 % 97}, volume {i * 13 % 41}, "
                f"clerk {i % 23}, desk {i * 17 % 59}.\n")
    db = tmp_path / "k.duckdb"
    cmd = [sys.executable, "-m", "detente.cli", "ingest", str(folder), "--db", str(db), "--quiet"]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not db.exists():
        time.sleep(0.05)
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # check=False: the assertion shows stderr when the rerun fails
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    with open_store(db) as store:
        assert store.count("documents") == 60
        ids = store.query("SELECT count(DISTINCT doc_id) AS n FROM sentences")[0]["n"]
        assert ids == 60
        dupes = store.query("SELECT count(*) AS n FROM (SELECT doc_id, sentence_index FROM "
                            "sentences GROUP BY ALL HAVING count(*) > 1)")[0]["n"]
        assert dupes == 0


def make_pdf(text: str | None) -> bytes:
    """A one-page PDF with (or without) a text layer, written by hand."""
    stream = (f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET" if text else "0 0 m 100 100 l S")
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
         "/Resources << /Font << /F1 5 0 R >> >> >>"),
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def test_hard_wrapped_wire_copy_is_unwrapped():
    from detente.ingest.clean import clean_text

    wrapped = ("Japan and Russia agreed on Tuesday to resume talks on the\n"
               "disputed islands, the foreign ministry in Tokyo said after a\n"
               "meeting of senior officials in Moscow earlier this week.\n"
               "    The two sides will meet again in March, officials said,\n"
               "adding that no date had been set for a summit between the\n"
               "two leaders.\n")
    assert clean_text(wrapped) == (
        "Japan and Russia agreed on Tuesday to resume talks on the disputed islands, the "
        "foreign ministry in Tokyo said after a meeting of senior officials in Moscow earlier "
        "this week.\n\nThe two sides will meet again in March, officials said, adding that no "
        "date had been set for a summit between the two leaders.")


def test_pasted_web_boilerplate_is_dropped():
    from detente.ingest.clean import clean_text

    pasted = ("Warsaw Desk\n\nPoland's Long Winter\n\nLatest Stories\n\n"
              "Photo credit: Government Information Centre\n\n"
              "Poland recalled its ambassador from Minsk on Friday.\n\n"
              "Looking for your next role? See our job board.\n\n"
              "JavaScript is disabled in this browser.\n\nShare this page\n\n"
              "Subscribe to the weekly digest\n")
    cleaned = clean_text(pasted)
    assert "Poland recalled its ambassador from Minsk on Friday." in cleaned
    for junk in ("Warsaw Desk", "Latest Stories", "Photo credit:", "job board", "JavaScript",
                 "Share this", "Subscribe"):
        assert junk not in cleaned, junk


def test_document_ids_are_the_hash_of_the_words_joined_by_single_spaces():
    """The id hashes the text's words one part at a time (a 20 MB text is never split
    whole); it is the id of the text with every run of white space made one space."""
    import hashlib
    import re

    from detente.records import doc_id_for

    spaced = "  Oslo\u00a0and\tLima\n\n signed\u2028a ‘deal’  " + "again and " * 30_000
    reference = re.sub(r"\s+", " ", spaced.replace("‘", "'").replace("’", "'")).strip()
    assert doc_id_for(spaced) == hashlib.sha256(reference.encode()).hexdigest()[:16]
    assert doc_id_for("Oslo and Lima") == doc_id_for(" Oslo  and\nLima ")
