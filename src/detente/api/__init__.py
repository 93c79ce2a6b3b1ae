"""The HTTP API and the dashboard: FastAPI routes over the library functions.

Every JSON route calls one library function (the same name as the CLI command) and
returns what it returns; every error has one JSON shape. The dashboard under `/` is
static HTML and JavaScript drawn from those same JSON routes.

>>> from detente.api import create_app
>>> app = create_app("detente.duckdb")  # doctest: +SKIP
>>> # uvicorn.run(app, port=8000)  or  `detente serve --db detente.duckdb`
"""

from detente.api.app import create_app

__all__ = ["create_app"]
