import pytest

from pipeline.providers.text import split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("J. K. Rowling wrote it. Then it sold.", ["J. K. Rowling wrote it.", "Then it sold."]),
        ("It came from the U.S.A. last year.", ["It came from the U.S.A. last year."]),
        ("Dr. Smith sees it, e.g. here. Next.", ["Dr. Smith sees it, e.g. here.", "Next."]),
        ("It costs 3.50 today. Fine.", ["It costs 3.50 today.", "Fine."]),
        # a variable ends its sentence: each step of a visual waits for its own sentence
        (
            "Here is the graph of sine of x. A point moves along it.",
            ["Here is the graph of sine of x.", "A point moves along it."],
        ),
    ],
)
def test_sentences_end_where_a_reader_would_stop(text, sentences):
    assert split_sentences(text) == sentences
