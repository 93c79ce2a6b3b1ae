"""Query parameters shared by the routes: their types, limits and OpenAPI descriptions.

The routes pass what the client sent, as text, to the library, which reads it with
`detente.query` as every surface does; a bad value raises the library's InputError,
which the app turns into a 400 in the one error shape, naming the parameter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from detente.analysis.common import HISTORY_YEARS

Since = Annotated[str | None, Query(description="Earliest event date: YYYY, YYYY-MM or "
                                                "YYYY-MM-DD (the period's first day).",
                                    max_length=10)]
Until = Annotated[str | None, Query(description="Latest event date: YYYY, YYYY-MM or "
                                                "YYYY-MM-DD (through the period's last day).",
                                    max_length=10)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (1–1000).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Actor = Annotated[str | None, Query(max_length=60, description="Actor code (JPN, G7) or "
                                                               "country name (Japan).")]
EventType = Annotated[str | None, Query(max_length=20, description="PLOVER type, e.g. "
                                        "SANCTION (older names such as DEMAND are read as "
                                        "current ones).")]
ActorA = Annotated[str, Query(min_length=1, max_length=60, description="First actor: code "
                                                                       "(JPN) or name (Japan).")]
ActorB = Annotated[str, Query(min_length=1, max_length=60, description="Second actor.")]
Both = Annotated[bool, Query(description="Count B→A as well as A→B.")]
By = Annotated[str, Query(max_length=10, description="month, quarter or year.")]
History = Annotated[bool, Query(description="Include historical events: dated more than "
                                            f"{HISTORY_YEARS} years before their article "
                                            "(left out and counted by default).")]
DocFilter = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                    description="Only this document's events.")]
Raw = Annotated[bool, Query(description="Every report: one event per article that tells it, "
                                        "as stored, instead of one canonical event per "
                                        "happening (the default).")]
