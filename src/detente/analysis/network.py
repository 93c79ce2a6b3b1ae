"""The actor network: who acts on whom, how often and how cooperatively.

Nodes are country or organisation codes ("JPN", "G7"), or code and sector ("JPN-GOV")
with `sectors=True`. A directed edge A→B carries the number of events and their
Goldstein sum and mean. Centrality is computed on the graph without self-loops
(domestic events such as JPN-GOV → JPN-OPP stay in the edge list):

- `degree`: distinct partners, in or out;
- `strength`: events sent plus events received;
- `pagerank`: PageRank over edges weighted by event count;
- `betweenness`: betweenness centrality with distance 1/events (frequent ties are short).

Events are canonical events, one per happening however many articles report it;
`raw=True` counts every report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import networkx as nx

from detente import query
from detente.analysis.common import range_clauses, range_text
from detente.frames import arrow_table, to_pandas, to_polars
from detente.jsonio import json_ready
from detente.settings import Settings
from detente.store import DbLike, event_table, reading


@dataclass(frozen=True)
class NetworkNode:
    id: str
    code: str
    sector: str
    events_sent: int
    events_received: int
    strength: int
    degree: int
    goldstein_sum: float
    pagerank: float
    betweenness: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NetworkEdge:
    source: str
    target: str
    events: int
    goldstein_sum: float
    goldstein_mean: float | None
    cooperation: int
    conflict: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

F = TypeVar("F")
# The columns of the node and edge tables (`Network.to_arrow()`).
NODE_TYPES = {"id": "str", "code": "str", "sector": "str", "events_sent": "int64",
              "events_received": "int64", "strength": "int64", "degree": "int64",
              "goldstein_sum": "float64", "pagerank": "float64", "betweenness": "float64"}
EDGE_TYPES = {"source": "str", "target": "str", "events": "int64", "goldstein_sum": "float64",
              "goldstein_mean": "float64", "cooperation": "int64", "conflict": "int64"}


class NetworkFrames(NamedTuple, Generic[F]):
    """The node table and the edge table, as Arrow, pandas or polars."""

    nodes: F
    edges: F


@dataclass(frozen=True)
class Network:
    """The actor graph: nodes by strength (most active first), edges by event count."""

    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    since: dt.date | None = None
    until: dt.date | None = None
    sectors: bool = False
    events: int = 0
    untargeted: int = 0
    message: str = ""
    raw: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"since": json_ready(self.since), "until": json_ready(self.until), "sectors": self.sectors,
                "raw": self.raw, "events": self.events, "untargeted": self.untargeted, "message": self.message,
                "nodes": [n.to_dict() for n in self.nodes],
                "edges": [e.to_dict() for e in self.edges]}

    def to_arrow(self) -> NetworkFrames[pa.Table]:
        """`(nodes, edges)` as Arrow tables; a node's `sector` is null without `sectors`."""
        return NetworkFrames(arrow_table((asdict(n) for n in self.nodes), NODE_TYPES),
                             arrow_table((asdict(e) for e in self.edges), EDGE_TYPES))

    def to_pandas(self) -> NetworkFrames[pd.DataFrame]:
        """`(nodes, edges)` as pandas DataFrames."""
        nodes, edges = self.to_arrow()
        return NetworkFrames(to_pandas(nodes), to_pandas(edges))

    def to_polars(self) -> NetworkFrames[pl.DataFrame]:
        """`(nodes, edges)` as polars DataFrames."""
        nodes, edges = self.to_arrow()
        return NetworkFrames(to_polars(nodes), to_polars(edges))

    def to_networkx(self) -> nx.DiGraph:
        """A networkx DiGraph with node and edge attributes, for further analysis."""
        graph = nx.DiGraph()
        for node in self.nodes:
            graph.add_node(node.id, **{k: v for k, v in asdict(node).items() if k != "id"})
        for edge in self.edges:
            graph.add_edge(edge.source, edge.target,
                           **{k: v for k, v in asdict(edge).items()
                              if k not in ("source", "target")})
        return graph


def network(
    db: DbLike,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    sectors: bool = False,
    settings: Settings | None = None,
    *,
    raw: bool = False,
) -> Network:
    """The directed actor graph of the stored events, with centrality per node; `since`
    and `until` are dates of any precision, read as `settings` says (day first or not).
    Each happening counts once; `raw=True` counts every report of it.

    >>> net = network("detente.duckdb", since="2014-01-01")  # doctest: +SKIP
    >>> [n.id for n in net.nodes][:3]  # doctest: +SKIP
    ['JPN', 'RUS', 'USA']
    """
    since, until = query.date_range(since, until, query.given(settings))
    table = event_table(query.view(raw))
    in_range, params = range_clauses(since, until)
    where = " AND ".join(["NOT coalesce(negated, FALSE)", *in_range])
    source_sector, target_sector = (("coalesce(source_sector, '')", "coalesce(target_sector, '')")
                                    if sectors else ("''", "''"))
    with reading(db) as store:
        groups = store.con.execute(
            f"""
            SELECT source_code, {source_sector} AS ss, target_code, {target_sector} AS ts,
                   count(*) AS n,
                   coalesce(sum(goldstein), 0) AS gs, count(goldstein) AS gn,
                   count_if(quad_class IN (1, 2)) AS coop, count_if(quad_class IN (3, 4)) AS conf
            FROM {table} WHERE {where} AND target_code IS NOT NULL AND source_code IS NOT NULL
            GROUP BY ALL
            """, params).fetchall()
        untargeted = store.one(
            f"SELECT count(*) FROM {table} WHERE {where} AND target_code IS NULL", params)[0]
    return build_network(groups, since, until, sectors, untargeted, raw)


def node_id(code: str, sector: str) -> str:
    return f"{code}-{sector}" if sector else code


def build_network(groups: list[tuple[Any, ...]], since: dt.date | None, until: dt.date | None,
                  sectors: bool, untargeted: int, raw: bool = False) -> Network:
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    parts: dict[str, tuple[str, str]] = {}
    for source, ss, target, ts, n, gs, gn, coop, conf in groups:
        s, t = node_id(source, ss), node_id(target, ts)
        parts[s], parts[t] = (source, ss), (target, ts)
        cell = edges.setdefault((s, t), {"n": 0, "gs": 0.0, "gn": 0, "coop": 0, "conf": 0})
        cell["n"] += n
        cell["gs"] += gs
        cell["gn"] += gn
        cell["coop"] += coop
        cell["conf"] += conf
    graph = nx.DiGraph()
    graph.add_nodes_from(parts)
    for (s, t), cell in edges.items():
        if s != t:
            graph.add_edge(s, t, weight=cell["n"], distance=1.0 / cell["n"])
    pagerank = nx.pagerank(graph, weight="weight") if graph.number_of_edges() else {}
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    sent = dict.fromkeys(parts, 0)
    received = dict.fromkeys(parts, 0)
    goldstein = dict.fromkeys(parts, 0.0)
    for (s, t), cell in edges.items():
        sent[s] += cell["n"]
        received[t] += cell["n"]
        goldstein[s] += cell["gs"]
        if t != s:
            goldstein[t] += cell["gs"]
    nodes = [NetworkNode(
        id=key, code=parts[key][0], sector=parts[key][1], events_sent=sent[key],
        events_received=received[key], strength=sent[key] + received[key],
        degree=len(set(graph.successors(key)) | set(graph.predecessors(key))),
        goldstein_sum=round(goldstein[key], 3), pagerank=round(pagerank.get(key, 0.0), 6),
        betweenness=round(betweenness.get(key, 0.0), 6)) for key in parts]
    nodes.sort(key=lambda n: (-n.strength, -n.pagerank, n.id))
    edge_list = [NetworkEdge(
        source=s, target=t, events=cell["n"], goldstein_sum=round(cell["gs"], 3),
        goldstein_mean=round(cell["gs"] / cell["gn"], 3) if cell["gn"] else None,
        cooperation=cell["coop"], conflict=cell["conf"]) for (s, t), cell in edges.items()]
    edge_list.sort(key=lambda e: (-e.events, e.source, e.target))
    total = sum(e.events for e in edge_list)
    message = "" if total else (f"No events with a target{range_text(since, until)} in the "
                                "store; ingest documents first, or widen the since-until range.")
    return Network(nodes=tuple(nodes), edges=tuple(edge_list), since=since, until=until,
                   sectors=sectors, events=total, untargeted=untargeted, message=message,
                   raw=raw)
