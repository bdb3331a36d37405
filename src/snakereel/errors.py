"""The one error type users see: file, field, what is wrong, how to fix it."""

from __future__ import annotations

import sys


class SnakereelError(Exception):
    """A user-facing error, printed on one line without a traceback."""

    def __init__(self, message: str, *, file: object = None, field: str = "", hint: str = ""):
        self.file = str(file) if file is not None else ""
        self.field = field
        self.message = message
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.file
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text


class EngineUnavailable(SnakereelError):
    """A TTS engine's package or model is missing: not a bug, the voice chain moves on."""


def or_exit(function, *args):
    """Call `function(*args)`; a user error ends the workflow with its one line."""
    try:
        return function(*args)
    except SnakereelError as error:
        sys.exit(f"snakereel: {error.one_line()}")
