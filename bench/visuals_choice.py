"""Choosing visuals: a 12-scene story against a library of 2,000 tagged items, the per-scene
choice (best match, no reuse, reasons) timed over repeated runs. Goal: under 200 ms.

The library is built the way the worker builds it (Candidate rows from tags and file names);
the scenes' search terms and narration come from the local planner on a real story.
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from pipeline.library.choose import Candidate, choose_visuals  # noqa: E402

VOCABULARY = """lighthouse keeper sea storm waves night lamp rocks coast gull boat harbour fog
rain wind cliff island beach sunrise sunset ship sailor rope lantern stairs tower window
letter candle clock kitchen bread tea garden flower tree forest road village church bell
market child woman man dog cat horse bird snow ice winter summer autumn spring river bridge
city street car train station mountain valley field farm barn cloud sky star moon sun""".split()

SCENES = [
    ("The old lighthouse keeper climbed the stairs every night to light the lamp.",
     ["lighthouse", "stairs", "lamp at night"]),
    ("A storm rolled in from the sea and the waves broke on the rocks.",
     ["storm at sea", "waves on rocks"]),
    ("Gulls cried over the harbour as the fishing boats came home.", ["gull", "harbour boats"]),
    ("He wrote a letter by candle light to his daughter in the city.",
     ["letter", "candle"]),
    ("In the morning fog the island seemed to float on the water.", ["fog island"]),
    ("His dog waited at the door for the postman's boat.", ["dog door", "boat"]),
    ("Winter came, with snow on the cliff and ice on the rope.", ["snow cliff", "winter"]),
    ("One night a ship lost its way in the rain.", ["ship in rain", "night sea"]),
    ("The keeper turned the great lens and the beam swept the water.", ["lighthouse beam"]),
    ("The sailors saw the light and turned towards the harbour.", ["sailors", "harbour light"]),
    ("At sunrise the ship lay safe at anchor by the village.", ["sunrise harbour", "village"]),
    ("The village rang the church bell for the lighthouse keeper.", ["church bell", "village"]),
]  # fmt: skip


def library(count: int = 2000, seed: int = 7) -> list[Candidate]:
    rng = random.Random(seed)
    items = []
    for n in range(count):
        tags = tuple(
            " ".join(rng.sample(VOCABULARY, rng.choice((1, 1, 2))))
            for _ in range(rng.randint(2, 6))
        )
        name = f"{rng.choice(VOCABULARY)}_{rng.choice(VOCABULARY)}_{n}.jpg"
        items.append(Candidate(key=f"item-{n}", kind=rng.choice(("image", "video")), tags=tags,
                               name=name))  # fmt: skip
    return items


def main():
    scenes = [{"narration": text, "search_terms": terms} for text, terms in SCENES]
    items = library()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        choices = choose_visuals(scenes, items)
        times.append((time.perf_counter() - started) * 1000)
    keys = [c.candidate.key for c in choices if c.candidate]
    assert len(keys) == len(set(keys)), "an item was used twice"
    print(f"scenes: {len(scenes)}, library items: {len(items)}")
    print(f"matched from the library: {sum(c.source == 'library' for c in choices)} of 12")
    print(f"choose_visuals: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
          "(goal: under 200 ms)")  # fmt: skip
    for choice in choices[:3]:
        print(f"  scene {choice.scene + 1}: {choice.candidate.key if choice.candidate else '-'}"
              f" ({choice.reason})")  # fmt: skip
    return 0 if max(times) < 200 else 1


if __name__ == "__main__":
    sys.exit(main())
