"""Choosing a picture per scene: matching, no reuse while others match, the fallbacks."""

import pytest

from pipeline.library.choose import Candidate, choose_visuals, words


def item(key, *tags, name="", kind="image"):
    return Candidate(key=key, kind=kind, tags=tuple(tags), name=name)


def scene(*terms, narration=""):
    return {"search_terms": list(terms), "narration": narration}


LIBRARY = [
    item("lamp", "lighthouse", "night", name="lamp.jpg"),
    item("sea", "sea", "waves", kind="video"),
    item("keeper", "old man", name="keeper portrait.png"),
    item("cat", "cat"),
]


def test_words_drop_stopwords_and_plurals():
    assert words("The Waves of the seas, 2024!") == ("wave", "sea")


def test_each_scene_gets_the_best_match_with_its_reason():
    choices = choose_visuals(
        [scene("lighthouse at night"), scene("stormy sea", "waves"), scene("old man")], LIBRARY
    )
    assert [c.candidate.key for c in choices] == ["lamp", "sea", "keeper"]
    assert all(c.source == "library" for c in choices)
    assert "“lighthouse”" in choices[0].reason


def test_file_names_count_when_tags_do_not_match():
    [choice] = choose_visuals([scene("keeper")], LIBRARY)
    assert choice.candidate.key == "keeper"


def test_narration_key_words_match_when_there_are_no_search_terms():
    [choice] = choose_visuals([scene(narration="The waves crashed and the waves rose.")], LIBRARY)
    assert choice.candidate.key == "sea"


def test_no_reuse_while_another_item_matches():
    library = [item("a", "lighthouse", "night"), item("b", "lighthouse")]
    choices = choose_visuals([scene("lighthouse night")] * 2, library)
    assert [c.candidate.key for c in choices] == ["a", "b"]


def test_stock_comes_before_reusing_an_item():
    library = [item("a", "lighthouse")]
    hits = {"lighthouse": [Candidate("pexels:image:1", "image", ("lighthouse",), source="pexels")]}
    choices = choose_visuals([scene("lighthouse")] * 3, library, stock=lambda q: hits.get(q, []))
    assert [c.source for c in choices] == ["library", "stock", "library"]
    assert choices[1].candidate.key == "pexels:image:1" and "pexels" in choices[1].reason
    assert "used again" in choices[2].reason


def test_procedural_when_nothing_matches():
    [choice] = choose_visuals([scene("volcano")], LIBRARY)
    assert choice.source == "procedural" and choice.candidate is None
    assert "volcano" in choice.reason


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("auto", ["library", "stock"]),
        ("library", ["library", "library"]),
        ("stock", ["stock", "procedural"]),
        ("procedural", ["procedural", "procedural"]),
    ],
)
def test_modes(mode, expected):
    hits = [Candidate("pixabay:video:9", "video", ("sea",), source="pixabay")]
    choices = choose_visuals(
        [scene("sea"), scene("sea")], [item("sea", "sea")], mode=mode, stock=lambda q: hits
    )
    assert [c.source for c in choices] == expected


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        choose_visuals([], [], mode="random")


def pinned(asset, *terms):
    return {**scene(*terms), "asset": asset}


def test_a_chosen_item_wins_in_every_mode_and_is_not_given_twice():
    library = [item("media:lamp", "lighthouse"), item("media:cat", "cat")]
    for mode in ("auto", "library", "stock", "procedural"):
        choices = choose_visuals([pinned("cat", "lighthouse"), scene("cat", "lighthouse")],
                                 library, mode=mode)  # fmt: skip
        assert (choices[0].candidate.key, choices[0].chosen) == ("media:cat", True)
        assert choices[0].reason == "Chosen in the storyboard."
        # The other scene matches the cat as well as the lamp: the cat is taken.
        other = choices[1].candidate
        assert other is None if mode in ("stock", "procedural") else other.key == "media:lamp"


def test_a_chosen_item_that_is_gone_falls_back_and_says_so():
    [choice] = choose_visuals([pinned("gone", "lighthouse")], [item("media:lamp", "lighthouse")])
    assert (choice.candidate.key, choice.chosen) == ("media:lamp", False)
    assert choice.reason.startswith("The chosen item is no longer in the library.")


def test_candidates_for_one_scene_best_first():
    from pipeline.library.choose import scene_candidates

    library = [item("a", "sea"), item("b", "lighthouse", "sea"), item("c", "cat")]
    ranked = scene_candidates(0, scene("lighthouse", "sea"), library)
    assert [c.candidate.key for c in ranked] == ["b", "a"]
    assert ranked[0].score > ranked[1].score
