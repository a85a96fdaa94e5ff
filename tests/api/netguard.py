"""The network switched off for Python code: ``socket.socket.connect`` (and ``connect_ex``,
which ``socket.create_connection``, httpx and asyncio's own loop all go through) refuse every
address but loopback and Unix sockets, and note each refusal.

Used in a test's own process (``install`` under monkeypatch) and, as ``python -m netguard
LOG sanctrace ARGS``, in front of the CLI of a server a test starts, which then writes each
address it was refused to LOG, one a line. Code that connects outside Python's socket module
(uvloop's own connects, libpq) is not covered.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Connect = Callable[[socket.socket, Any], Any]


def is_local(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a host name: resolving it may be the network already


def guarded(connect: Connect, refused: list[str], log: Path | None = None) -> Connect:
    def guard(sock: socket.socket, address: Any) -> Any:
        if not is_local(sock.family, address):
            refused.append(repr(address))
            if log is not None:
                with log.open("a", encoding="utf-8") as out:
                    out.write(f"{address!r}\n")
            raise OSError(errno.ENETUNREACH, f"the network is off in this test: {address!r}")
        return connect(sock, address)

    return guard


def install(setattr_: Callable[[Any, str, Any], None], log: Path | None = None) -> list[str]:
    """Guard ``socket.socket`` with ``setattr_`` (``monkeypatch.setattr``, or ``setattr`` for
    good); the addresses refused, as they are."""
    refused: list[str] = []
    setattr_(socket.socket, "connect", guarded(socket.socket.connect, refused, log))
    setattr_(socket.socket, "connect_ex", guarded(socket.socket.connect_ex, refused, log))
    return refused


def main() -> None:
    """``python -m netguard LOG sanctrace ARGS``: the sanctrace CLI with the network off."""
    log, program, *args = sys.argv[1:]
    assert program == "sanctrace", program
    install(setattr, Path(log))
    sys.argv = [program, *args]
    from sanctrace.cli.app import main as sanctrace

    sanctrace()


if __name__ == "__main__":
    main()
