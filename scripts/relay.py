#!/usr/bin/env python3
"""A latency relay for scripts/bench-latency.sh: listens on COUNT ports of 127.0.0.1 and
forwards each connection to TARGET_HOST:TARGET_PORT, delaying every chunk DELAY_MS in each
direction (so a request and its answer take 2 x DELAY_MS: the round trip of a far endpoint).
Order is kept per direction; a chunk's delay starts when it arrives, so flights overlap as on
a real path. Connection set-up to the relay itself is local and not delayed.

    relay.py COUNT TARGET_HOST TARGET_PORT DELAY_MS PORTS_FILE SECONDS

Writes the ports it listens on to PORTS_FILE (one a line) and stops by itself after SECONDS.
"""
import asyncio
import sys


async def pipe(reader, writer, delay):
    """Copies reader to writer, each chunk DELAY seconds after it was read."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    sender = asyncio.create_task(send())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, data or None))
            if not data:
                break
    except (ConnectionError, OSError):
        queue.put_nowait((loop.time() + delay, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def main():
    count, host, port, delay_ms, ports_file, seconds = sys.argv[1:7]
    delay = int(delay_ms) / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pipe(client_reader, server_writer, delay), pipe(server_reader, client_writer, delay), return_exceptions=True
        )
        for writer in (client_writer, server_writer):
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512) for _ in range(int(count))]
    with open(ports_file, "w") as out:
        for server in servers:
            out.write(f"{server.sockets[0].getsockname()[1]}\n")
    await asyncio.sleep(float(seconds))


if __name__ == "__main__":
    asyncio.run(main())
