"""What the check before delivery looks at in a video's picture: each frame's time and a
coarse grid of its luma (every 8th sample across and down), enough to see a black or frozen
picture without converting colours.

The assembler takes them from each part of a video as the part is encoded (decoding it, so a
part that does not decode fails there) and keeps them with the part in the scene cache: a
part reused by a later render was decoded when it was made, and its samples come back with
it. The check then reads the joined video's packets only to see that every part's frames
are in it. A video made some other way is decoded whole (`video_samples`).
"""

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

GRID = 8


@dataclass
class Samples:
    starts: np.ndarray  # seconds, one per frame, rising
    grids: np.ndarray  # uint8, (frames, rows, columns)
    end: float  # when the last frame ends

    def __len__(self) -> int:
        return len(self.starts)

    def spans(self) -> list[tuple[float, float]]:
        """Per frame, (start, end): until the next frame starts, the last one until `end`."""
        starts = self.starts.tolist()
        return list(zip(starts, [*starts[1:], self.end], strict=True))

    def save(self, path: Path) -> None:
        with open(path, "wb") as out:
            np.savez(out, starts=self.starts, grids=self.grids, end=np.float64(self.end))

    @classmethod
    def load(cls, path: Path) -> "Samples":
        with np.load(path) as data:
            return cls(data["starts"], data["grids"], float(data["end"]))

    @classmethod
    def joined(cls, pieces: list[tuple["Samples", float]]) -> "Samples":
        """The samples of videos played one after another, each from its offset (seconds)."""
        return cls(
            np.concatenate([samples.starts + offset for samples, offset in pieces]),
            np.concatenate([samples.grids for samples, _ in pieces]),
            pieces[-1][0].end + pieces[-1][1],
        )


def video_samples(path: Path) -> Samples:
    """Decodes the whole picture; raises av.FFmpegError or ValueError when it cannot."""
    starts, grids = [], []
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError("it has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        base = stream.time_base
        last = 0
        for frame in container.decode(stream):
            plane = frame.planes[0]
            rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
            grids.append(rows[: frame.height : GRID, : frame.width : GRID].copy())
            starts.append(float(frame.pts * base))
            last = frame.duration or 0
        if not starts:
            raise ValueError("it has no video frames")
        # The last frame's own length (a variable-rate video's average rate says nothing).
        end = starts[-1] + (float(last * base) if last else 1 / float(stream.guessed_rate or 30))
        if stream.duration:
            end = max(end, float(stream.duration * base))
    return Samples(np.array(starts), np.stack(grids), end)


def packet_count(path: Path) -> int:
    """How many frames the video's packets hold (read, not decoded)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)
