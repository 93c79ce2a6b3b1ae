"""`python -m detente.cli ...` runs the `detente` command."""

from detente.cli.main import app

app()
