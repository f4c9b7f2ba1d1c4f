import os
import random

# A fresh seed every run, printed in the header; `FUZZ_SEED=<n>` replays a run.
SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))


def pytest_report_header(config):
    return f"fuzz seed: {SEED} (replay with FUZZ_SEED={SEED})"
