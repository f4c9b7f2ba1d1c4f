"""Reads a /metrics answer back into samples, with prometheus_client's own parser."""

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, frozenset of label items): value} for every sample in the answer."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(parsed: dict, name: str, **labels) -> float | None:
    return parsed.get((name, frozenset(labels.items())))


def matching(parsed: dict, name: str, **labels) -> dict[frozenset, float]:
    """The samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return {key: v for (n, key), v in parsed.items() if n == name and wanted <= key}
