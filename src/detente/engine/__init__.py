"""The scale engine: `run` codes inputs on worker processes (a local pool, or
dask.distributed on one machine or many) into a Hive-partitioned Parquet dataset, which
every read command opens in place as a store; `load` brings a dataset into a DuckDB file.

>>> report = run(["news/"], "out/", load_settings(), engine="dask")  # doctest: +SKIP
>>> events("out/", source="JPN")  # doctest: +SKIP
"""

from detente.engine.load import LoadReport, load
from detente.engine.runner import ENGINES, RunReport, run

__all__ = ["ENGINES", "LoadReport", "RunReport", "load", "run"]
