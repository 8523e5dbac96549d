"""User-facing errors.

An :class:`LrlError` is a problem with the user's input or setup, not a bug: the CLI prints its message
as one line and exits non-zero, without a traceback. The message must say where (file, line, key) and
how to fix it.
"""

from __future__ import annotations

# Exit codes of the ``lrl`` command (printed by ``lrl --help``; sysexits.h names where one fits).
EXIT_OK = 0
EXIT_BUG = 1  # an unexpected exception: a bug in lrl ("please report"); traceback with --debug / LRL_DEBUG=1
EXIT_USAGE = 2  # the command line itself (argparse): unknown option, missing argument
EXIT_DATA = 65  # EX_DATAERR: bad input data — a missing, unreadable or malformed input file or row
EXIT_IO = 74  # EX_IOERR: the system refused a read or write lrl did not expect to fail (disk full, ...)
EXIT_CONFIG = 78  # EX_CONFIG: bad configuration — a setting, a plugin, the output folder, a missing model
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_CODES = (
    (EXIT_OK, "success"),
    (EXIT_BUG, "a bug in lrl (please report it; --debug or LRL_DEBUG=1 shows the traceback)"),
    (EXIT_USAGE, "command-line usage error"),
    (EXIT_DATA, "bad input data: a missing, unreadable or malformed input file or row"),
    (EXIT_IO, "a read or write failed (disk full, file vanished, ...)"),
    (EXIT_CONFIG, "bad configuration: a setting, a plugin (lang check problems), the output folder, a model"),
    (EXIT_INTERRUPTED, "interrupted"),
)


class LrlError(Exception):
    """A problem the user can fix; ``str(err)`` is the whole message."""

    exit_code = EXIT_CONFIG


class InputError(LrlError):
    """Bad input data: a missing file, a malformed row, undecodable bytes."""

    exit_code = EXIT_DATA

    def __init__(self, path: object, line: int | None, problem: str, fix: str = "") -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        msg = f"{where}: {problem}"
        if fix:
            msg += f" — {fix}"
        super().__init__(msg)
        self.path, self.line = path, line


class ConfigError(LrlError):
    """An invalid setting: unknown key, wrong type, or a value out of range."""


class MissingDependency(LrlError):
    """An optional engine is needed by a configured step but is not installed."""

    def __init__(self, module: str, package: str, needed_for: str) -> None:
        super().__init__(
            f"{needed_for} needs the Python module '{module}', which is not installed — "
            f"run: pip install '{package}'"
        )


def require(module: str, package: str, needed_for: str) -> object:
    """Import an optional module when a step is *built*, so a missing package fails early and says
    which pip package provides it (datatrove's habit)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependency(module, package, needed_for) from exc
