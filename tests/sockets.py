"""Waiting on a WebSocket by what it sends, never by a quiet window of so many tenths of a
second (which a busy machine turns into a flake either way)."""

import json
import time

# Long, since it bounds a wait that ends as soon as the awaited frame comes: only a failing
# test ever waits this long.
DEADLINE = 30.0


async def frames_until(communicator, done, *, deadline: float = DEADLINE) -> list[dict]:
    """The frames (`websocket.send` or `websocket.close`) the socket sends until `done(frame)`
    holds for one, that one last; an AssertionError if it has not come within `deadline`."""
    frames = []
    end = time.monotonic() + deadline
    while True:
        try:
            frame = await communicator.receive_output(timeout=max(end - time.monotonic(), 0.01))
        except TimeoutError:
            raise AssertionError(f"the awaited frame did not come in {deadline} s: {frames}")
        frames.append(frame)
        if done(frame):
            return frames


def is_close(frame) -> bool:
    return frame["type"] == "websocket.close"


async def messages_until(communicator, done, *, deadline: float = DEADLINE) -> list[dict]:
    """The JSON messages the socket sends until `done(message)` holds for one, that one last;
    an AssertionError if the socket closes first or the message does not come in time."""
    frames = await frames_until(
        communicator,
        lambda f: is_close(f) or done(json.loads(f["text"])),
        deadline=deadline,
    )
    assert not is_close(frames[-1]), f"the socket closed: {frames}"
    return [json.loads(f["text"]) for f in frames]
