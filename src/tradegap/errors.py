"""Errors that tell the user what went wrong, where, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass


class TradegapError(Exception):
    """Base class: every error raised on purpose by tradegap. The CLI prints these without a
    traceback."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


def _location(file: str | None, line: int | None, field_name: str | None) -> str:
    parts = []
    if file:
        parts.append(str(file) + (f":{line}" if line is not None else ""))
    elif line is not None:
        parts.append(f"line {line}")
    if field_name:
        parts.append(f"field {field_name!r}")
    return ", ".join(parts)


class InputError(TradegapError):
    """Bad input: names the file, the line, the field and what to do."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.line, self.field, self.reason = file, line, field, reason
        loc = _location(file, line, field)
        super().__init__(f"{loc}: {reason}" if loc else reason, hint)


@dataclass(frozen=True)
class RowIssue:
    """One malformed row set aside during parsing (``line`` is 1-based, header = line 1)."""

    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        loc = _location(self.file, self.line, self.field)
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{loc}: {self.reason}{shown}"


class TooManyBadRows(InputError):
    """Raised when malformed rows pass the ingest threshold; lists the first of them."""

    def __init__(self, issues: list[RowIssue], *, bad: int, total: int, file: str, limit: str):
        self.issues, self.bad, self.total = issues, bad, total
        shown = "\n".join(f"    {i}" for i in issues[:20])
        more = f"\n    … and {bad - 20:,} more" if bad > 20 else ""
        super().__init__(
            f"{bad:,} of {total:,} rows are malformed (limit {limit}); nothing was written:\n"
            f"{shown}{more}",
            file=file,
            hint="fix the rows listed, or raise the limit with --max-bad-rows if setting "
            "them aside is acceptable",
        )


class WarehouseBusy(TradegapError):
    """Another process is writing to the same warehouse."""


class NotFound(TradegapError):
    """Something asked for is not in the warehouse or the reference data."""
