"""The dashboard in headless Chromium (Playwright) against a real uvicorn server.

Walks the analyst's path: pick JPN–RUS → click a period in the timeline → read an
evidence sentence → open the document with its events highlighted; ticks "Every report"
to count each report of a happening told twice, as /api/timeline counts it; and uploads
files on the documents page, by file input and by drag and drop. Screenshots go to
test-artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from example_stores import Spec, add_document, make_db
from serving import serving
from test_api_example import DOCUMENTS, build_example_db

from detente.api import create_app
from detente.dedup.state import Deduplicator
from detente.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Chromium at /usr/bin/chromium (apt-get install chromium; "
                              ".ci/run installs it)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright for Python")
expect = sync_api.expect
expect.set_options(timeout=15_000)  # generous: CI machines are often busy


@contextmanager
def serve(db: Path) -> Iterator[str]:
    """A real uvicorn server, in a thread, over `db`; yields its address."""
    with serving(create_app(db), log_level="warning") as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the example database."""
    with serve(build_example_db(tmp_path_factory.mktemp("browser") / "example.duckdb")) as url:
        yield url


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the example plus an article of 2018 recalling a 1956 agreement."""
    db = build_example_db(tmp_path_factory.mktemp("history") / "example.duckdb")
    with open_store(db) as store:
        add_document(store, "talks resume", "2018-06-01",
                     [Spec("JPN", "RUS", "AGREE", "1956", 4.0, 1, "030")])
    with serve(db) as url:
        yield url


@pytest.fixture(scope="module")
def merged_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the dyad store, deduplicated: its two reports of Japan's March
    2014 sanctions (one dated to the day, one to the month) are one happening."""
    db = make_db(tmp_path_factory.mktemp("merged") / "events.duckdb")[0]
    with open_store(db) as store:
        Deduplicator.load(store)
    with serve(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did: console errors, page errors and requests leaving the server."""

    def __init__(self, page: object, base: str) -> None:
        self.problems: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("request", lambda r: None if r.url.startswith((base, "data:"))
                else self.outside.append(r.url))

    def check(self) -> None:
        assert self.problems == []
        assert self.outside == []


@pytest.fixture
def page(browser: object, base_url: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.watch = Watch(tab, base_url)
    yield tab
    context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_dashboard(page: object, base_url: str, hash_: str = "#/") -> None:
    page.goto(f"{base_url}/{hash_}")
    page.wait_for_selector("#timeline-chart svg .mark-rect path")


def test_pick_a_dyad_click_a_period_read_the_evidence_open_the_document(
        page: object, base_url: str) -> None:
    open_dashboard(page, base_url)
    page.select_option("#actor-a", "JPN")
    page.select_option("#actor-b", "RUS")
    expect(page.locator("#chart-title")).to_contain_text("JPN ↔ RUS")
    page.wait_for_selector("#timeline-chart svg .mark-rect path")
    shot(page, "1-dyad-timeline")

    # The first bar is March 2014: Japan's first sanctions and Moscow's answer.
    page.locator("#timeline-chart svg .mark-rect path").first.click()
    expect(page.locator("#period-title")).to_have_text("Events in Mar 2014")
    rows = page.locator("#period-events table.events tbody tr")
    expect(rows).to_have_count(3)
    evidence = "Japan announced sanctions against Russia on Tuesday over the annexation of Crimea."
    expect(page.locator("#period-events .evidence-text").first).to_have_text(evidence)
    expect(page.locator("#period")).to_have_value("2014-03")
    assert "period=2014-03" in page.url
    shot(page, "2-period-events")

    page.locator("#period-events tbody tr", has_text=evidence).get_by_role(
        "link", name="Open document").click()
    expect(page.locator("h1")).to_have_text("Japan announces first sanctions over Crimea")
    marks = page.locator("article.doc-text mark.event-mark")
    expect(marks).to_have_count(4)  # one per sentence holding events
    expect(page.locator("mark.event-mark.current")).to_have_text(evidence)
    expect(page.locator(".event-list li")).to_have_count(4)
    assert "q4" in page.locator("mark.event-mark.current").get_attribute("class")
    shot(page, "3-document-highlights")

    # Another event from the list moves the highlight to its sentence.
    page.locator(".event-list li", has_text="ACCUSE").get_by_role("button").click()
    expect(page.locator("mark.event-mark.current")).to_have_text(
        "Moscow criticised the decision.")
    page.go_back()
    expect(page.locator("#period-title")).to_have_text("Events in Mar 2014")
    page.watch.check()


def test_the_dashboard_works_from_the_keyboard(page: object, base_url: str) -> None:
    open_dashboard(page, base_url, "#/dyad?a=JPN&b=RUS&by=year")
    page.focus("#period")
    page.keyboard.press("ArrowDown")  # the first year with events: 2014
    expect(page.locator("#period-title")).to_have_text("Events in 2014")
    link = page.locator("#period-events a", has_text="Open document").first
    link.focus()
    outline = link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # a visible focus ring
    shot(page, "4-keyboard-focus")
    page.keyboard.press("Enter")
    expect(page.locator("mark.event-mark.current")).to_be_visible()
    page.locator(".event-button").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".event-item.current")).to_have_count(1)
    page.watch.check()


def test_direction_and_grouping_redraw_the_chart(page: object, base_url: str) -> None:
    open_dashboard(page, base_url, "#/dyad?a=JPN&b=RUS")
    page.select_option("#direction", "ba")
    expect(page.locator("#chart-title")).to_contain_text("RUS → JPN")
    page.select_option("#group-by", "quarter")
    expect(page.locator("#chart-title")).to_contain_text("by quarter")
    page.wait_for_selector("#timeline-chart svg .mark-rect path")
    page.select_option("#period", "2014-Q3")
    rows = page.locator("#period-events tbody tr")
    expect(rows).to_have_count(2)  # RUS → JPN only: the threat and the drills
    for text in rows.locator("td:nth-child(3)").all_inner_texts():
        assert re.match(r"RUS \w+ → JPN", text)
    page.locator("button.swap").click()
    expect(page.locator("#actor-a")).to_have_value("RUS")
    page.watch.check()


def test_historical_events_are_left_out_until_asked_for(browser: object,
                                                       history_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, history_url)
    try:
        open_dashboard(page, history_url, "#/dyad?a=JPN&b=RUS&by=year")
        note = page.locator(".history-note")
        expect(note).to_have_text("1 historical event (1956) left out: dated more than 5 years "
                                  "before its article; tick “Historical events” to include "
                                  "them.")
        expect(page.locator("#from-year option").first).to_have_text("2014")
        expect(page.locator("#history")).not_to_be_checked()
        shot(page, "8-dyad-history-left-out")
        page.check("#history")
        expect(page.locator("#from-year")).to_have_value("1956")
        expect(note).to_have_count(0)
        assert "history=1" in page.url
        page.wait_for_selector("#timeline-chart svg .mark-rect path")
        shot(page, "9-dyad-with-history")
        page.uncheck("#history")
        expect(page.locator("#from-year")).to_have_value("2014")
        expect(note).to_be_visible()
        watch.check()
    finally:
        context.close()


def test_every_report_counts_each_report_and_the_default_each_happening(
        browser: object, merged_url: str) -> None:
    import httpx

    def served(raw: bool) -> dict[str, int]:
        answer = httpx.get(f"{merged_url}/api/timeline", params={
            "a": "JPN", "b": "RUS", "by": "month", "raw": str(raw).lower()}).json()
        return {r["period"]: r["events"] for r in answer["rows"]
                if r["direction"] == "both" and r["events"]}

    canonical, raw = served(False), served(True)
    # the two sanctions reports are one happening; nothing else merges
    assert raw["2014-03"] == canonical["2014-03"] + 1 == 4
    assert {p: n for p, n in raw.items() if p != "2014-03"} == {
        p: n for p, n in canonical.items() if p != "2014-03"}

    def shown() -> dict[str, int]:
        """The periods of the Period list, each with the count its label gives."""
        options = page.locator("#period option").evaluate_all(
            "options => options.filter(o => o.value).map(o => [o.value, o.textContent])")
        return {period: int(re.search(r"· (\d+) events?$", label).group(1))
                for period, label in options}

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, merged_url)
    try:
        open_dashboard(page, merged_url, "#/dyad?a=JPN&b=RUS&by=month&period=2014-03")
        expect(page.locator("#raw")).not_to_be_checked()
        rows = page.locator("#period-events table.events tbody tr")
        expect(rows).to_have_count(3)
        assert shown() == canonical
        shot(page, "13-dyad-canonical")

        march = page.locator('#period option[value="2014-03"]')
        expect(march).to_have_text(re.compile(r"· 3 events$"))
        page.check("#raw")
        expect(march).to_have_text(re.compile(r"· 4 events$"))
        assert "raw=1" in page.url
        assert shown() == raw
        page.select_option("#period", "2014-03")
        expect(rows).to_have_count(4)  # both reports of the sanctions, each listed
        shot(page, "14-dyad-every-report")

        page.uncheck("#raw")
        expect(march).to_have_text(re.compile(r"· 3 events$"))
        assert shown() == canonical
        watch.check()
    finally:
        context.close()


def test_text_from_the_database_is_shown_as_text(page: object, base_url: str) -> None:
    page.goto(f"{base_url}/#/documents")
    title = 'Moscow rejects Tokyo\'s "<b>demand</b>" & talks stall'
    link = page.get_by_role("link", name=title)
    expect(link).to_be_visible()
    assert page.locator("table.docs b").count() == 0
    link.click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("article.doc-text")).to_contain_text("resume <negotiations> without")
    assert page.locator("article.doc-text negotiations").count() == 0
    page.watch.check()


@pytest.mark.parametrize("width", [1024, 390])
def test_narrow_screens_keep_everything_reachable(browser: object, base_url: str,
                                                  width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(f"{base_url}/#/dyad?a=JPN&b=RUS&period=2022-03")
        tab.wait_for_selector("#timeline-chart svg .mark-rect path")
        expect(tab.locator("#period-events tbody tr").first).to_be_visible()
        overflow = tab.evaluate("document.documentElement.scrollWidth - "
                                "document.documentElement.clientWidth")
        assert overflow <= 0
        shot(tab, f"5-dyad-{width}px")
        tab.goto(f"{base_url}/#/documents")
        expect(tab.locator("table.docs")).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth - "
                            "document.documentElement.clientWidth") <= 0
        shot(tab, f"6-documents-{width}px")
    finally:
        context.close()


def test_the_api_page_lists_the_routes(page: object, base_url: str) -> None:
    page.goto(f"{base_url}/#/api")
    expect(page.locator("section.route code", has_text="/api/timeline")).to_be_visible()
    expect(page.locator("section.route")).to_have_count(11)
    page.watch.check()


def test_upload_by_file_input_and_by_drag_and_drop(page: object, base_url: str,
                                                   tmp_path: Path) -> None:
    good = tmp_path / "sochi-meeting.txt"
    good.write_text("Title: Abe meets Putin in Sochi\nDate: 2014-02-08\n\nPrime Minister "
                    "Shinzo Abe met President Vladimir Putin in Sochi on Saturday.\n",
                    encoding="utf-8")
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    page.goto(f"{base_url}/#/documents")
    expect(page.locator("#docs-title")).to_have_text(f"Stored documents ({len(DOCUMENTS)})")
    page.set_input_files("#file-input", [str(good), str(bad)])
    expect(page.locator("#picked")).to_have_text("sochi-meeting.txt, scan.png")
    page.get_by_role("button", name="Upload 2 files").click()
    result = page.locator("#upload-result .notice")
    expect(result).to_contain_text("Added 1 document", timeout=120_000)
    expect(result).to_contain_text("1 input failed")
    expect(result.locator(".failures")).to_contain_text("scan.png")
    expect(page.locator("#docs-title")).to_have_text(f"Stored documents ({len(DOCUMENTS) + 1})")
    expect(page.locator("table.docs").get_by_role("link", name="Abe meets Putin in Sochi")
           ).to_be_visible()
    expect(page.locator("#errors-title")).to_have_text("Ingest errors (1)")
    expect(page.locator("table.errors td").nth(1)).to_have_text("scan.png")
    expect(result.get_by_role("link", name="Abe meets Putin in Sochi")).to_be_visible()
    expect(page.locator("#db-status")).to_contain_text(f"{len(DOCUMENTS) + 1} documents")
    shot(page, "7-upload-result")

    dropped = page.evaluate_handle("""() => {
        const data = new DataTransfer();
        data.items.add(new File(["Date: 2015-06-12\\n\\nJapan protested to Russia on Friday "
            + "over military exercises on the Kuril Islands.\\n"], "drills.txt",
            { type: "text/plain" }));
        return data;
    }""")
    page.dispatch_event("#dropzone", "dragover", {"dataTransfer": dropped})
    expect(page.locator("#dropzone")).to_have_class(re.compile("over"))
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
    # Ingesting loads nothing new but can take a while on a busy machine.
    expect(page.locator("#docs-title")).to_have_text(
        f"Stored documents ({len(DOCUMENTS) + 2})", timeout=120_000)
    expect(result).to_contain_text("Added 1 document")
    expect(result.locator("li a")).to_have_text(re.compile("Japan protested to Russia"))
    shot(page, "8-after-drop")
    page.watch.check()


def downloaded_csv(page: object, button: object) -> list[dict[str, str]]:
    """Click a "Download CSV" button and read the file it gives."""
    import csv

    with page.expect_download() as info:
        button.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_the_goldstein_line_counts_per_document_and_the_csv_of_the_chart(
        page: object, base_url: str) -> None:
    import httpx

    open_dashboard(page, base_url, "#/dyad?a=JPN&b=RUS&by=year")
    expect(page.locator("#timeline-chart svg .mark-line path")).to_have_count(1)
    expect(page.locator("#timeline-chart svg")).to_contain_text("Mean Goldstein score")
    page.select_option("#measure", "per_documents")
    expect(page.locator("#chart-title")).to_contain_text("per 100 documents")
    assert "measure=per_documents" in page.url
    page.wait_for_selector("#timeline-chart svg .mark-rect path")
    expect(page.locator("#timeline-chart svg")).to_contain_text("Events per 100 documents")
    shot(page, "10-dyad-per-documents")
    rows = downloaded_csv(page, page.locator(".chart-card .csv-download"))
    served = httpx.get(f"{base_url}/api/timeline", params={"a": "JPN", "b": "RUS",
                                                           "by": "year"}).json()
    both = [r for r in served["rows"] if r["direction"] == "both"]
    assert [r["period"] for r in rows] == [r["period"] for r in both]
    for shown, row in zip(rows, both, strict=True):
        assert int(shown["events"]) == row["events"]
        assert int(shown["documents"]) == row["documents"]
        expected = round(100 * row["events"] / row["documents"], 2) if row["documents"] else None
        assert (float(shown["events_per_100_documents"]) if shown["events_per_100_documents"]
                else None) == expected
    # The events listed under the chart download as they are shown.
    page.select_option("#period", "2016")
    table = page.locator("#period-events table.events tbody tr")
    expect(table).to_have_count(4)
    events = downloaded_csv(page, page.locator("#period-events .csv-download"))
    assert len(events) == 4 and {e["date"] for e in events} == {"2016-12-16"}
    page.watch.check()


def test_several_dyads_compared_and_downloaded(page: object, base_url: str) -> None:
    import httpx

    page.goto(f"{base_url}/#/compare?d=JPN-RUS,RUS-UKR&by=year")
    page.wait_for_selector("#compare-chart svg .mark-line path")
    expect(page.locator("#dyad-chips li")).to_have_count(2)
    page.select_option("#add-a", "JPN")
    page.select_option("#add-b", "UKR")
    page.click("#add-dyad")
    expect(page.locator("#dyad-chips li")).to_have_count(3)
    expect(page.locator("table.compare-table thead th")).to_have_text(
        ["Period", "JPN ↔ RUS", "RUS ↔ UKR", "JPN ↔ UKR"])
    page.wait_for_selector("#compare-chart svg .mark-line path")
    expect(page.locator("#compare-chart svg .mark-line path")).to_have_count(3)
    assert "d=JPN-RUS%2CRUS-UKR%2CJPN-UKR" in page.url
    page.select_option("#compare-measure", "goldstein")
    expect(page.locator("#compare-title")).to_have_text("Mean Goldstein score by year")
    shot(page, "11-compare-dyads")
    rows = downloaded_csv(page, page.locator(".chart-card .csv-download"))
    assert {r["dyad"] for r in rows} == {"JPN-RUS", "RUS-UKR", "JPN-UKR"}
    served = httpx.get(f"{base_url}/api/timeline", params={"a": "JPN", "b": "RUS",
                                                           "by": "year"}).json()
    assert [(r["period"], int(r["events"])) for r in rows if r["dyad"] == "JPN-RUS"] == [
        (r["period"], r["events"]) for r in served["rows"] if r["direction"] == "both"]
    page.get_by_role("button", name="Remove RUS ↔ UKR").click()
    expect(page.locator("#dyad-chips li")).to_have_count(2)
    page.watch.check()


def test_the_actor_network_links_to_its_dyads(page: object, base_url: str) -> None:
    import httpx

    network = httpx.get(f"{base_url}/api/network").json()
    page.goto(f"{base_url}/#/network")
    expect(page.locator("#network-graph .node circle")).to_have_count(len(network["nodes"]))
    pairs = {tuple(sorted((e["source"], e["target"]))) for e in network["edges"]
             if e["source"] != e["target"]}
    expect(page.locator("#network-graph line.link")).to_have_count(len(pairs))
    expect(page.locator("table.network-table tbody tr")).to_have_count(len(pairs))
    shot(page, "12-network")
    rows = downloaded_csv(page, page.locator(".csv-download"))
    assert {(r["a"], r["b"]) for r in rows} == pairs
    assert sum(int(r["events"]) for r in rows) == sum(
        e["events"] for e in network["edges"] if e["source"] != e["target"])
    page.get_by_role("link", name="JPN ↔ RUS").click()
    expect(page.locator("#chart-title")).to_contain_text("JPN ↔ RUS")
    page.watch.check()


def test_swagger_ui_runs_under_the_page_policy(page: object, base_url: str) -> None:
    page.goto(f"{base_url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/export")).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(11)
    page.watch.check()
