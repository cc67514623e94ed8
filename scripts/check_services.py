"""Fail loudly when PostgreSQL or Redis (for `make test-services`) is unreachable."""

import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> tuple[bool, str]:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return True, f"{host}:{port}"
    except OSError as exc:
        return False, f"{host}:{port} ({exc})"


def main() -> int:
    database_url, redis_url = sys.argv[1], sys.argv[2]
    failed = False
    for name, url, port in (("PostgreSQL", database_url, 5432), ("Redis", redis_url, 6379)):
        ok, where = reachable(url, port)
        print(f"{name}: {'reachable at' if ok else 'UNREACHABLE at'} {where}")
        failed |= not ok
    if failed:
        print(
            "!! The services leg needs PostgreSQL and Redis running (see README). !!",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
