"""JSON in and out: the one encoder of detente's results and the one JSONL reader.

`to_json` writes what the CLI prints and the exports write; `json_ready` gives the same
values as plain JSON types, for a web framework to encode. Dates become ISO strings and
paths plain text; anything else JSON does not know is refused, never guessed.

`json_lines` reads one JSON object per line. A line that cannot be read (not UTF-8, not
JSON, too deep, too long, not an object) yields an InputError naming the input and the
line, and the other lines go on; each caller checks the fields its records need.

>>> to_json({"day": dt.date(2014, 3, 18), "file": Path("a.txt")})
'{"day": "2014-03-18", "file": "a.txt"}'
>>> list(json_lines(['{"id": 1}', "", "[2]"], "in.jsonl", hint="Write objects."))[0]
('in.jsonl:1', {'id': 1})
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from detente.errors import InputError, unexpected

__all__ = ["JsonLine", "json_lines", "json_object", "json_ready", "json_type", "to_json"]

JsonLine = tuple[str, dict[str, Any]]


def _scalar(value: Any) -> Any:
    """A date, a datetime or a path as JSON text; any other value as it is."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def json_ready(value: Any) -> Any:
    """`value` in plain JSON types: dates as ISO strings, paths as text, tuples as lists.

    >>> json_ready({"span": (dt.date(2014, 1, 1), None)})
    {'span': ['2014-01-01', None]}
    """
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    return _scalar(value)


def _default(value: Any) -> Any:
    converted = _scalar(value)
    if converted is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return converted


def to_json(value: Any, *, indent: int | None = None) -> str:
    """JSON text of `value`, dates as ISO strings, non-ASCII characters kept as they are."""
    return json.dumps(value, default=_default, ensure_ascii=False, indent=indent)


def json_type(value: object) -> str:
    """How JSON names a value's type, for messages.

    >>> json_type([1]), json_type(True), json_type(None)
    ('a list', 'true/false', 'null')
    """
    if isinstance(value, bool):
        return "true/false"
    for kind, label in ((dict, "an object"), (list, "a list"), (str, "a string"),
                        (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return label
    return "null" if value is None else type(value).__name__


#: The deepest nesting detente reads. Python's own limit differs by version (json reads
#: 999 levels on 3.11, about 1,500 on 3.12 and 10,000 on 3.13); this one is below all of
#: them, so that a line is read or refused alike on every version.
MAX_DEPTH = 500


def nested_too_deeply(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed JSON value nests lists and objects more than `limit` levels deep.

    >>> nested_too_deeply([[1]], limit=2), nested_too_deeply({"a": [[1]]}, limit=2)
    (False, True)
    """
    stack = [(value, 1)]
    while stack:  # iterative: a deep value must not exhaust the stack here either
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1)
                         for child in (item.values() if isinstance(item, dict) else item))
    return False


def too_deep(where: str, hint: str) -> InputError:
    return InputError(f"{where}: the JSON is nested more than {MAX_DEPTH} levels deep",
                      hint=hint)


def json_object(line: str | bytes, where: str, *, hint: str,
                max_bytes: int | None = None) -> dict[str, Any] | None:
    """One line as a JSON object; None for a blank line. InputError naming `where` (with
    `hint`, what a line should hold) for a line that is over `max_bytes`, not UTF-8, not
    JSON, nested too deeply or not an object."""
    if max_bytes is not None and len(line) > max_bytes:
        raise InputError(f"{where}: the line is over the {max_bytes / 1e6:.0f} MB limit",
                         hint="Raise the max_doc_mb setting (DETENTE_MAX_DOC_MB).")
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{where}: not UTF-8 text (byte 0x{line[exc.start]:02x} at "
                             f"column {exc.start + 1})",
                             hint="Write JSONL in UTF-8 (e.g. iconv -t utf-8).") from exc
    line = line.removeprefix("\ufeff")
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})",
                         hint=hint) from exc
    except RecursionError:
        raise too_deep(where, hint) from None
    if nested_too_deeply(record):
        raise too_deep(where, hint)
    if not isinstance(record, dict):
        raise InputError(f"{where}: a JSONL line must be a JSON object, not "
                         f"{json_type(record)}", hint=hint)
    return record


def json_lines(lines: Iterable[str | bytes], name: str, *, hint: str,
               max_bytes: int | None = None, first_line: int = 1
               ) -> Iterator[JsonLine | InputError]:
    """(where, object) for each line of `lines` ("in.jsonl:3"; `first_line` numbers the
    first, so that a slice of a file keeps the file's numbers), or the InputError of a
    line that cannot be read; blank lines are skipped. Errors are yielded, not raised: one
    bad line never stops the others, and a stream that fails (a pipe closed) ends with its
    error."""
    number = first_line - 1
    iterator = iter(lines)
    while True:
        where = f"{name}:{number + 1}"
        try:
            line = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - the stream itself failed: nothing after it is readable
            yield unexpected(exc, where, "the input stops here")
            return
        number += 1
        try:
            record = json_object(line, where, hint=hint, max_bytes=max_bytes)
        except InputError as exc:
            exc.input = where
            yield exc
        except Exception as exc:  # noqa: BLE001 - whatever one line does, it is that line's failure
            yield unexpected(exc, where)
        else:
            if record is not None:
                yield where, record
