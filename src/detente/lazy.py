"""Public names imported on first use, so that importing a package stays fast.

`exports(__name__, {"detente.records": ("Event", ...)})` in a package's `__init__`
makes each name a property of the package that imports the name's home module when the
name is first read: `import detente` then loads neither DuckDB nor polars nor spaCy.

Some public names are also the names of submodules (`detente.ingest` is a function and a
subpackage, `detente.analysis.timeline` a function and a module). Importing such a
submodule binds its name on the package; the property ignores that binding, so the
name always stays the function, and the submodule stays importable by its full name.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import Any


def _public(home: str, name: str) -> property:
    def get(_package: types.ModuleType) -> Any:
        return getattr(import_module(home), name)

    def bind(_package: types.ModuleType, _submodule: Any) -> None:
        """The import system binding a submodule of the same name: the name stays."""

    return property(get, bind, doc=f"`{home}.{name}`, imported on first use.")


def exports(package: str, homes: Mapping[str, Sequence[str]]) -> None:
    """Make the public names of `package`, each listed under its home module, import on
    first use. The package lists the same names in a plain `__all__`, and imports them
    under `TYPE_CHECKING` for type checkers.

    >>> import detente
    >>> detente.docs.__module__, detente.ingest.__module__
    ('detente.library', 'detente.library')
    """
    names = {name: home for home, listed in homes.items() for name in listed}
    namespace: dict[str, Any] = {name: _public(home, name) for name, home in names.items()}
    namespace["__dir__"] = lambda module: sorted({*module.__dict__, *names})
    sys.modules[package].__class__ = type("PublicNames", (types.ModuleType,), namespace)
