"""What the ``paperdigest`` command says when something fails: an OS error in plain words
with its fix, and errors as JSON for a command asked for JSON."""

from __future__ import annotations

import errno
import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

_F = TypeVar("_F", bound=Callable[..., Any])


def json_errors(option: str, value: object = True) -> Callable[[_F], _F]:
    """Errors as ``{"ok": false, "error": ...}`` on stdout when the command's parameter
    ``option`` is ``value``: a tool that asked for JSON gets JSON."""
    def wrap(command: _F) -> _F:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except click.ClickException as exc:
                if kwargs.get(option) != value:
                    raise
                click.echo(json.dumps({"ok": False, "error": exc.format_message()},
                                      ensure_ascii=False))
                raise click.exceptions.Exit(exc.exit_code) from exc
        return run  # type: ignore[return-value]
    return wrap


def os_message(exc: OSError) -> str:
    """``path: what the system said: what to do`` for an OS error no layer below worded."""
    where = exc.filename or "paperdigest"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some disk space and run it again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "check its permissions, or run it where you may read and write"
    elif exc.errno == errno.EADDRINUSE:
        fix = "stop the other server, or pick another address with -a"
    else:
        fix = "check the path and run it again"
    return f"{where}: {exc.strerror or exc}: {fix}"
