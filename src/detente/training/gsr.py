"""The PLOVER gold development records as corpus documents, by reference.

Each record (one or two sentences with its coded event) becomes a `gsr:ID` document of
one annotated unit; source and target phrases become character offsets. Run once:

    python -m detente.training.gsr data/annotations/gsr.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from detente.coding.ontology import cameo_for, normalise_type
from detente.evaluation.extraction import GOLD_CODE_FIXES
from detente.training.corpus import GSR, _find, collapse, text_hash
from detente.training.data import default_shared_dir


def _actors(value) -> list[dict]:
    return [a for a in value if a.get("code")] if isinstance(value, list) else []


def record_document(record: dict) -> dict | None:
    """A GSR record as a stored corpus record, or None if it has no event."""
    if not record.get("event") or not record.get("text") or record["event"] == "DOCUMENT":
        return None
    text = collapse(record["text"])
    plover = normalise_type(record["event"])
    if record["event"].upper() == "RETREAT":
        plover = "RETREAT"
    sources, targets = _actors(record.get("source")), _actors(record.get("target"))
    pairs: list[tuple[dict, dict | None]]
    if not targets and len(sources) > 1:  # "A and B agreed": each toward the others
        pairs = [(s, t) for s in sources for t in sources if s is not t]
    else:
        pairs = [(s, t) for s in sources for t in (targets if targets else [None])]
    events = []
    whole = (0, len(text))
    for source, target in pairs:
        def code(actor) -> str:
            value = GOLD_CODE_FIXES.get(actor["code"], actor["code"])
            return f"{value} {actor['sector']}" if actor.get("sector") else value
        spans = [_find(a.get("actorText"), text, whole) if a else None for a in (source, target)]
        events.append({"source": code(source), "target": code(target) if target else "",
                       "type": plover, "mode": "", "cameo": cameo_for(plover), "date": None,
                       "source_span": [spans[0].start, spans[0].end] if spans[0] else None,
                       "target_span": [spans[1].start, spans[1].end] if spans[1] else None,
                       "trigger_span": None})
    return {"doc": f"gsr:{record['id']}", "kind": "wire", "date": None, "annotator": "gsr",
            "sha": text_hash(text),
            "sentences": [{"start": 0, "end": len(text), "tags": [], "events": events}]}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0])
    records = json.loads((default_shared_dir() / GSR).read_text(encoding="utf-8"))
    # One id appears twice in the file with two texts: the reader keeps the first.
    firsts: dict[str, dict] = {}
    for record in records:
        firsts.setdefault(record["id"], record)
    packed = [r for r in map(record_document, firsts.values()) if r is not None]
    output.write_text("".join(json.dumps(r) + "\n" for r in packed), encoding="utf-8")
    print(f"wrote {len(packed)} GSR documents to {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
