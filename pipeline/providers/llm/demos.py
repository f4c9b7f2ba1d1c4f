"""Worked examples the offline planner can compute rather than write: a search or a sort run
on a list of numbers, and a linear equation solved step by step.

Each returns the scene's heading, its narration (one sentence per step, so the template shows
each step as its sentence starts) and the visual that draws it (pipeline/visuals.py).
Nothing here is canned text about a topic: every sentence reports what the run did.
"""

import re
from dataclasses import dataclass
from fractions import Fraction

from pipeline.visuals import ARRAY_MAX, STEPS_MAX

SAMPLE_LIST = [3, 8, 12, 17, 23, 31, 42, 56, 64, 79]
SEARCHES = {"binary search": "binary", "linear search": "linear", "sequential search": "linear"}
SORTS = {
    "bubble sort": "bubble",
    "insertion sort": "insertion",
    "selection sort": "selection",
}
_NUMBER = r"-?\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Demo:
    heading: str
    narration: str
    visual: dict
    bullets: tuple[str, ...] = ()


def number_list(text: str, at_least: int = 3) -> list[float]:
    """The first run of `at_least` or more numbers separated by commas ("5, 2, 9 and 1")."""
    more = max(1, at_least - 1)
    number = rf"(?<![\w./]){_NUMBER}(?![\w/])"  # not a part of 3/4 or of a word
    run = re.search(rf"{number}(?:\s*(?:,|,?\s*and)\s*{number}){{{more},}}", text or "")
    if not run:
        return []
    return [_number(n) for n in re.findall(_NUMBER, run.group())][:ARRAY_MAX]


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() else value


def said(values) -> str:
    return ", ".join(_cell(v) for v in values)


def _cell(value) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _cells(values) -> list[str]:
    return [_cell(v) for v in values]


# --- searches -----------------------------------------------------------------------------
def search_demo(method: str, values: list, target=None) -> Demo:
    """A binary or linear search for `target` (a value of the list when not given)."""
    if method == "binary":
        values = sorted(values)
    if target is None:
        target = values[len(values) * 2 // 3]
    if method == "binary":
        return _binary(values, target)
    return _linear(values, target)


def _binary(values: list, target) -> Demo:
    low, high = 0, len(values) - 1
    steps = [{"active": [low, high], "pointers": [{"label": "low", "index": low},
                                                  {"label": "high", "index": high}]}]  # fmt: skip
    sentences = [
        f"We look for {_cell(target)} in the sorted list {said(values)}, "
        f"keeping track of the part of the list where it can still be."
    ]
    found = None
    while low <= high and len(steps) < STEPS_MAX:
        mid = (low + high) // 2
        pointers = [{"label": "low", "index": low}, {"label": "mid", "index": mid},
                    {"label": "high", "index": high}]  # fmt: skip
        number = len(steps)
        where = f"Halving step {number}: the middle of positions {low} to {high} is {mid}"
        if values[mid] == target:
            found = mid
            steps.append({"active": [low, high], "pointers": pointers, "highlight": [mid],
                          "note": f"{_cell(target)} found"})  # fmt: skip
            sentences.append(f"{where}, which holds {_cell(target)}: found.")
            break
        smaller = values[mid] < target
        half = "left" if smaller else "right"
        sentences.append(
            f"{where}, holding {_cell(values[mid])}; {_cell(target)} is "
            f"{'larger' if smaller else 'smaller'}, so the {half} half is dropped."
        )
        low, high = (mid + 1, high) if smaller else (low, mid - 1)
        step = {
            "pointers": pointers,
            "highlight": [mid],
            "note": f"{_cell(values[mid])} {'<' if smaller else '>'} {_cell(target)}",
        }
        if low <= high:
            step["active"] = [low, high]
        steps.append(step)  # fmt: skip
    halvings = len(steps) - 1
    if found is None:
        sentences.append(f"No part of the list is left, so {_cell(target)} is not in it.")
        steps.append({"note": f"{_cell(target)} is not in the list"})
    else:
        sentences.append(
            f"{halvings} halving step{'s' if halvings != 1 else ''} instead of checking all "
            f"{len(values)} numbers one by one."
        )
        steps.append({"highlight": [found], "note": f"{halvings} of {len(values)} checked"})
    return Demo(
        heading="Binary search, step by step",
        narration=" ".join(sentences),
        visual={
            "type": "array",
            "title": f"Looking for {_cell(target)}",
            "values": _cells(values),
            "steps": steps[:STEPS_MAX],
        },  # fmt: skip
        bullets=(f"Looking for {_cell(target)}", f"{halvings} halving steps"),
    )


def _linear(values: list, target) -> Demo:
    steps = [{}]
    sentences = [f"We look for {_cell(target)} in the list {said(values)}, one cell at a time."]
    for index, value in enumerate(values[: STEPS_MAX - 2]):
        hit = value == target
        steps.append({"pointers": [{"label": "i", "index": index}], "highlight": [index],
                      "note": "found" if hit else f"{_cell(value)} ≠ {_cell(target)}"})  # fmt: skip
        if hit:
            sentences.append(f"Position {index} holds {_cell(value)}: found.")
            break
        sentences.append(f"Position {index} holds {_cell(value)}, not {_cell(target)}.")
    return Demo(
        heading="Linear search, step by step",
        narration=" ".join(sentences),
        visual={
            "type": "array",
            "title": f"Looking for {_cell(target)}",
            "values": _cells(values),
            "steps": steps,
        },  # fmt: skip
    )


# --- sorts --------------------------------------------------------------------------------
def sort_demo(method: str, values: list) -> Demo:
    runs = {"bubble": _bubble, "insertion": _insertion, "selection": _selection}
    sentences, steps = runs[method](list(values))
    if len(steps) > STEPS_MAX:  # keep the start and the end of a long run
        keep = STEPS_MAX - 1
        sentences = sentences[: keep - 1] + sentences[-1:]
        steps = steps[: keep - 1] + steps[-1:]
    first = f"We sort {said(values)} from smallest to largest with {method} sort."
    return Demo(
        heading=f"{method.capitalize()} sort, step by step",
        narration=" ".join([first, *sentences]),
        visual={
            "type": "array",
            "title": f"{method.capitalize()} sort",
            "values": _cells(values),
            "steps": [{}, *steps],
        },  # fmt: skip
    )


def _bubble(values: list) -> tuple[list[str], list[dict]]:
    sentences, steps = [], []
    for end in range(len(values) - 1, 0, -1):
        swaps = 0
        for i in range(end):
            if values[i] > values[i + 1]:
                values[i], values[i + 1] = values[i + 1], values[i]
                swaps += 1
        if not swaps:
            sentences.append(f"A pass with no swaps: {said(values)} is sorted.")
            steps.append({"values": _cells(values), "note": "no swaps: done"})
            return sentences, steps
        number = len(values) - end
        sentences.append(
            f"Pass {number} swaps {swaps} out-of-order neighbour{'s' if swaps != 1 else ''}, "
            f"giving {said(values)}; {_cell(values[end])} has bubbled to its place."
        )
        steps.append({"values": _cells(values), "active": [0, end], "highlight": [end],
                      "note": f"pass {number}"})  # fmt: skip
    sentences.append(f"Sorted: {said(values)}.")
    steps.append({"values": _cells(values), "note": "sorted"})
    return sentences, steps


def _insertion(values: list) -> tuple[list[str], list[dict]]:
    sentences, steps = [], []
    for i in range(1, len(values)):
        value, j = values[i], i
        while j > 0 and values[j - 1] > value:
            values[j] = values[j - 1]
            j -= 1
        values[j] = value
        moved = f"it moves to position {j}" if j != i else "it stays where it is"
        sentences.append(f"Insert {_cell(value)}: {moved}, giving {said(values)}.")
        steps.append({"values": _cells(values), "active": [0, i], "highlight": [j],
                      "note": f"insert {_cell(value)}"})  # fmt: skip
    sentences.append(f"Sorted: {said(values)}.")
    steps.append({"values": _cells(values), "note": "sorted"})
    return sentences, steps


def _selection(values: list) -> tuple[list[str], list[dict]]:
    sentences, steps = [], []
    for i in range(len(values) - 1):
        smallest = min(range(i, len(values)), key=lambda k: values[k])
        values[i], values[smallest] = values[smallest], values[i]
        sentences.append(
            f"The smallest from position {i} on is {_cell(values[i])}; it goes to position "
            f"{i}, giving {said(values)}."
        )
        steps.append({"values": _cells(values), "active": [i, len(values) - 1],
                      "highlight": [i], "note": f"smallest: {_cell(values[i])}"})  # fmt: skip
    sentences.append(f"Sorted: {said(values)}.")
    steps.append({"values": _cells(values), "note": "sorted"})
    return sentences, steps


# --- a plain list ---------------------------------------------------------------------------
_LIST_FACTS = (
    ("sort", r"\b(?:sort|sorted|order|ascending|arrange)"),
    ("median", r"\bmedian"),
    ("mean", r"\b(?:mean|average)"),
    ("sum", r"\b(?:sum|total|add up)"),
    ("largest", r"\b(?:max|maximum|largest|biggest|highest)"),
    ("smallest", r"\b(?:min|minimum|smallest|lowest)"),
)


def list_demo(values: list, text: str) -> tuple[Demo, bool]:
    """The prompt's numbers as an array, with what it asks of them computed: sorted, the
    median, mean, sum, largest, smallest. Returns the demo and whether anything was computed."""
    lowered = (text or "").lower()
    asked = [name for name, pattern in _LIST_FACTS if re.search(pattern, lowered)]
    ordered = sorted(values)
    sentences, steps = [f"The numbers: {said(values)}."], [{}]
    if "sort" in asked or "median" in asked:
        sentences.append(f"In order: {said(ordered)}.")
        steps.append({"values": _cells(ordered), "note": "in order"})
    shown = ordered if len(steps) > 1 else values
    if "median" in asked:
        middle = len(ordered) // 2
        if len(ordered) % 2:
            median, lit = ordered[middle], [middle]
        else:
            median, lit = (ordered[middle - 1] + ordered[middle]) / 2, [middle - 1, middle]
        sentences.append(f"The median, the middle of the ordered list, is {_cell(median)}.")
        steps.append({"highlight": lit, "note": f"median {_cell(median)}"})
    total = sum(values)
    if "mean" in asked:
        mean = round(total / len(values), 4)
        sentences.append(
            f"Their mean is their sum, {_cell(total)}, over {len(values)}: {_cell(mean)}."
        )
        steps.append({"highlight": list(range(len(values))), "note": f"mean {_cell(mean)}"})
    elif "sum" in asked:
        sentences.append(f"Their sum is {_cell(total)}.")
        steps.append({"highlight": list(range(len(values))), "note": f"sum {_cell(total)}"})
    for name, pick in (("largest", max), ("smallest", min)):
        if name in asked:
            value = pick(values)
            sentences.append(f"The {name} is {_cell(value)}.")
            steps.append({"highlight": [shown.index(value)], "note": f"{name}: {_cell(value)}"})
    demo = Demo(
        heading="The numbers",
        narration=" ".join(sentences),
        visual={"type": "array", "values": _cells(values), "steps": steps[:STEPS_MAX]},
    )
    return demo, bool(asked)


# --- equations ----------------------------------------------------------------------------
_TERM = re.compile(r"([+-]?)(\d+(?:\.\d+)?)?(\*?([a-z]))?")


def _linear_side(text: str, var: str) -> tuple[Fraction, Fraction] | None:
    """(a, b) for a side written as a sum of terms `a*var` and numbers; None otherwise."""
    text = text.replace(" ", "").replace("−", "-")
    if not text:
        return None
    a = b = Fraction(0)
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if not match or match.end() == position or (match.group(4) or var) != var:
            return None
        if position and not match.group(1):
            return None  # two terms with no sign between them
        sign = -1 if match.group(1) == "-" else 1
        if match.group(4):
            a += sign * Fraction(match.group(2) or "1")
        elif match.group(2):
            b += sign * Fraction(match.group(2))
        else:
            return None
        position = match.end()
    return a, b


def _side(a: Fraction, b: Fraction, var: str) -> str:
    parts = []
    if a:
        parts.append(var if a == 1 else f"-{var}" if a == -1 else f"{_cell(a)}{var}")
    if b or not parts:
        if parts:
            parts.append(f"{'+' if b > 0 else '-'} {_cell(abs(b))}")
        else:
            parts.append(_cell(b))
    return " ".join(parts)


def solve_linear(equation: str) -> Demo | None:
    """`equation` (`3x + 5 = 20`, as found in a prompt) solved, when it is linear in one
    single-letter unknown; None otherwise."""
    equation = (equation or "").lower().strip(" .")
    names = set(re.findall(r"[a-z]+", equation))
    if equation.count("=") != 1 or len(names) != 1 or len(next(iter(names))) != 1:
        return None
    var = names.pop()
    left, right = (_linear_side(side, var) for side in equation.split("="))
    if not left or not right or left[0] == right[0]:
        return None
    (a1, b1), (a2, b2) = left, right
    return _solution(re.sub(r"\s*=\s*", " = ", equation), var, a1, b1, a2, b2)


def _solution(start, var, a1, b1, a2, b2) -> Demo:
    steps, notes = [start], [""]
    sentences = [f"We solve {_spoken(start)} for {var}."]
    if a2:
        steps.append(f"{_side(a1 - a2, b1, var)} = {_cell(b2)}")
        moved = _side(a2, Fraction(0), var)
        notes.append(f"subtract {moved} from both sides")
        sentences.append(f"Subtract {_spoken(moved)} from both sides: {_spoken(steps[-1])}.")
    a, b = a1 - a2, b2 - b1
    if b1:
        steps.append(f"{_side(a, Fraction(0), var)} = {_cell(b)}")
        verb = f"Subtract {_cell(b1)} from" if b1 > 0 else f"Add {_cell(-b1)} to"
        notes.append(f"{verb.lower()} both sides")
        sentences.append(f"{verb} both sides: {_spoken(steps[-1])}.")
    value = b / a
    if a != 1:
        steps.append(f"{var} = {_cell(value)}")
        notes.append(f"divide both sides by {_cell(a)}")
        sentences.append(f"Divide both sides by {_cell(a)}: {_spoken(steps[-1])}.")
    check = a1 * value + b1
    sentences.append(
        f"Check: with {var} equal to {_cell(value)}, the left side is {_cell(check)}, "
        f"and so is the right."
    )
    return Demo(
        heading=f"Solving {start}",
        narration=" ".join(sentences),
        visual={"type": "equation_steps", "steps": steps, "notes": notes},
        bullets=tuple(note for note in notes if note),
    )


def _spoken(text: str) -> str:
    spoken = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    for symbol, word in ((" = ", " equals "), (" + ", " plus "), (" - ", " minus ")):
        spoken = spoken.replace(symbol, word)
    return re.sub(r"(?<![\w])-(?=\w)", "minus ", spoken)
