import os
import random

# A fresh seed every run, printed in the header and the summary; `FUZZ_SEED=<n>` replays it.
SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))


def _line() -> str:
    return f"fuzz seed: {SEED} (replay with FUZZ_SEED={SEED})"


def pytest_report_header(config):
    return _line()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(_line())
