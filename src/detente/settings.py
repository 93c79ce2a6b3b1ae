"""One settings object, merged once: defaults → config file → DETENTE_* env → flags.

Each setting is declared once (name, type, default, help) in `SETTINGS`; the CLI
help, validation and the README table all come from that declaration.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from detente.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `load_settings()`, never mutate (use `replace`)."""

    db: Path = Path("detente.duckdb")
    actors: tuple[Path, ...] = ()
    known_events: tuple[Path, ...] = ()
    fast: bool = False
    batch_size: int = 64
    workers: int = 0
    max_upload_mb: int = 20
    max_doc_mb: int = 20
    day_first: bool = False
    quiet: bool = False

    @property
    def worker_count(self) -> int:
        """The worker processes to code with: `workers`, or with 0 (`auto`) one per CPU
        core this process may run on.

        >>> Settings(workers=3).worker_count
        3
        """
        if self.workers:
            return self.workers
        if hasattr(os, "sched_getaffinity"):  # the cores this process may use (Linux)
            return len(os.sched_getaffinity(0))
        return os.cpu_count() or 1


HELP: Mapping[str, str] = {
    "db": "DuckDB file holding documents, sentences and events.",
    "actors": "Extra actor files (detente actor format) that add or override entries.",
    "known_events": "Extra known-events files (CSV: name,date,source,target,plover,pattern) "
                    "that date well-known events a text names without a date.",
    "fast": "Code with the rule coder and the TF-IDF classifier (faster, finds fewer events) "
            "instead of the learned extractor.",
    "batch_size": "Documents per spaCy batch.",
    "workers": "Worker processes that parse and code (ingest, code, run): `auto` (or 0) "
               "for one per CPU core, 1 to code in-process.",
    "max_upload_mb": "Largest upload the HTTP API accepts, in MB.",
    "max_doc_mb": "Largest input file ingest reads, in MB (bigger files are refused).",
    "day_first": "Read numeric dates that fit both ways day first (03/04/1987 is 3 April); "
                 "off, month first (4 March).",
    "quiet": "Silence progress bars.",
}

CONFIG_NAMES = ("detente.toml", ".detente.toml")


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "Path":
            return Path(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in {"1", "true", "yes", "on"}
        if name == "workers":
            return read_workers(value)
        if kind == "int":
            return int(value)
        if kind == "tuple[Path, ...]":
            items = value.split(os.pathsep) if isinstance(value, str) else value
            return tuple(Path(v) for v in items if str(v))
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"setting {name!r} has an invalid value {value!r}",
            hint=f"{name}: {HELP[name]}",
        ) from exc
    return value


def read_workers(value: Any) -> int:
    """`auto` as 0 (one per core), else a count of at least 0."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return 0
    count = int(value)
    if count < 0:
        raise ValueError("negative")
    return count


def _config_file(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        return explicit
    if env.get("DETENTE_CONFIG"):
        return Path(env["DETENTE_CONFIG"])
    for name in CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    return None


def load_settings(
    flags: Mapping[str, Any] | None = None,
    config: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, `DETENTE_*` variables and flags (None = unset).

    >>> load_settings({"db": "x.duckdb"}, env={}).db
    PosixPath('x.duckdb')
    """
    env = os.environ if env is None else env
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    path = _config_file(config, env)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"cannot read config file {path}: {exc}",
                hint="Fix the TOML syntax or point DETENTE_CONFIG at another file.",
            ) from exc
        table = data.get("detente", data)
        unknown = set(table) - known
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {sorted(unknown)} in {path}",
                hint=f"Valid settings: {', '.join(sorted(known))}.",
            )
        values.update({k: _coerce(k, v) for k, v in table.items()})
    for name in known:
        raw = env.get(f"DETENTE_{name.upper()}")
        if raw is not None and raw != "":
            values[name] = _coerce(name, raw)
    for name, value in (flags or {}).items():
        if value is None or (name in {"actors", "known_events"} and not value):
            continue
        if name not in known:
            raise ConfigError(f"unknown setting {name!r}", hint=f"Valid: {sorted(known)}")
        values[name] = _coerce(name, value)
    return replace(Settings(), **values)
