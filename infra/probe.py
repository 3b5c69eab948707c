"""Tells whether a piece of the local stack answers: used by infra/stack.sh before it installs or starts anything."""

import socket
import sys
import urllib.request


def tcp(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def amqp(url: str) -> bool:
    import asyncio

    import aio_pika

    async def check() -> bool:
        try:
            connection = await asyncio.wait_for(aio_pika.connect(url), timeout=5)
        except Exception:
            return False
        await connection.close()
        return True

    return asyncio.run(check())


def http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except Exception:
        return False


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    ok = {"tcp": lambda: tcp(args[0], int(args[1])), "amqp": lambda: amqp(args[0]), "http": lambda: http(args[0])}[kind]()
    sys.exit(0 if ok else 1)
