"""One exception hierarchy for the whole package.

Every message names what went wrong, where (file, line, field, setting or URI) and the fix. The CLI maps
``exit_code`` to its documented exit code 2 (usage, configuration, connection, unreadable input).
"""

from __future__ import annotations


class ResolverError(Exception):
    """Base of every error resolver raises on purpose."""


class ConfigError(ResolverError):
    """A setting, flag or environment variable has an unusable value."""


class SourceError(ResolverError):
    """An input file cannot be read at all (as opposed to one bad row, which is a reject)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class RowError(ResolverError):
    """One input row is malformed; readers turn it into a reject and carry on."""

    def __init__(self, reason: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field
        self.code = code


class DateError(RowError):
    """A date field is not a valid (partial) date."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason, field=field, code="invalid_date")


class TemplateError(ResolverError):
    """A Cypher template file is malformed, unknown, or called with wrong parameters."""


class ServerError(ResolverError):
    """The local Neo4j runner cannot fetch, start, stop or inspect a server."""


class GraphConnectionError(ResolverError):
    """Neo4j cannot be reached, refuses the credentials, or has no such database."""


class GraphWriteError(ResolverError):
    """A write to Neo4j failed for a reason retries cannot fix."""


class QueryError(ResolverError):
    """A read template ran but the server refused it (bad parameter value, bad full-text query, ...)."""


class NotFoundError(ResolverError):
    """No organisation matches the id, identifier or name asked for."""


class AmbiguousError(NotFoundError):
    """A name matches several organisations equally well; the message lists them and how to choose."""

    def __init__(self, message: str, *, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates
