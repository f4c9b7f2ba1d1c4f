"""Spans of time in narration audio, shared by the TTS backends, captions and assembly."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Timing:
    text: str
    start: float  # seconds from the start of the audio
    end: float

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Timing":
        return cls(text=data["text"], start=float(data["start"]), end=float(data["end"]))
