"""Every error detente raises, each with a stable code and a hint that names the fix.

Library code raises these; the CLI and the HTTP API turn them into messages and
exit codes / JSON errors. Codes are stable so that scripts can match on them.
"""

from __future__ import annotations


class DetenteError(Exception):
    """Base class: `code` is stable, `hint` tells the user what to do next."""

    code = "E000"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, hint: str | None = None, input: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.input = input  # the file, line or argument that failed, when there is one

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        return f"{text}\nHint: {self.hint}" if self.hint else text


class InputError(DetenteError):
    """A file, line or argument given by the user cannot be read or understood."""

    code = "E100"
    exit_code = 2
    http_status = 400


class CorpusError(InputError):
    """An annotation that breaks the corpus format, or a referenced text that cannot be
    found; the message names the document and the field."""

    code = "E110"

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="See docs/annotation.md §7 for the format; "
                         "referenced texts are read from ../shared (or --shared DIR).")


class UnsupportedFormatError(InputError):
    code = "E101"


class EmptyDocumentError(InputError):
    code = "E102"


class BadDateError(InputError):
    code = "E103"


class UnknownActorError(InputError):
    code = "E104"


class NotRegularFileError(InputError):
    """A FIFO, a device or a link to one: reading it could hang or never end."""

    code = "E107"


class UnexpectedInputError(InputError):
    """An input that made a reader, the parser or the coder fail in a way no check
    foresaw; recorded against that input while the batch goes on."""

    code = "E109"


class StoreError(DetenteError):
    """The DuckDB store cannot be opened, migrated or written."""

    code = "E200"
    exit_code = 3
    http_status = 500


class StoreLockedError(StoreError):
    code = "E201"
    http_status = 409


class SchemaVersionError(StoreError):
    code = "E202"


class ModelMissingError(DetenteError):
    """A model or pipeline that detente needs is not installed."""

    code = "E300"
    exit_code = 4


class PayloadTooLargeError(InputError):
    """An upload over the server's size limit."""

    code = "E105"
    http_status = 413


class UnsupportedMediaTypeError(InputError):
    """An upload in a content type the server does not read."""

    code = "E106"
    http_status = 415


class ConfigError(DetenteError):
    code = "E400"
    exit_code = 2
    http_status = 400


class NotFoundError(DetenteError):
    code = "E404"
    exit_code = 1
    http_status = 404


def unexpected(exc: BaseException, name: str, what: str = "could not be read") -> InputError:
    """An error no check foresaw, as the input's own recorded failure."""
    detail = str(exc)[:200] or "no message"
    return UnexpectedInputError(
        f"{name}: {what} ({type(exc).__name__}: {detail})",
        hint="The other inputs go on. If this input looks fine, please report it with the "
             "input attached: it is a bug in detente.", input=name)
