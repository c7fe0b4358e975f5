"""The audiovisual cow meme's local modules: joke, caption, speak (espeak-ng) and video (ffmpeg)."""

from __future__ import annotations

import io
import json
import subprocess
import wave

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tinyhops.provider.modules import ModuleFailed, caption, joke, run_module, speak, video
from tinyhops.provider.modules.inputs import parse_inputs
from tinyhops.provider.modules.sdxl import ImageRequest, render
from tinyhops.provider.store import ContentStore

PICTURE = render(ImageRequest("a cow", 1, 160, 120))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ContentStore:
    return ContentStore(tmp_path_factory.mktemp("store"))


def stored(store: ContentStore, module: str, inputs: dict[str, str]) -> str:
    """Run `module` on `inputs` (as v1 carries them: a JSON object) and store its result directory."""
    return store.put_tree(run_module(module, json.dumps(inputs), store).tree())


def ffprobe(data: bytes, tmp_path) -> dict:
    path = tmp_path / "probe.mp4"
    path.write_bytes(data)
    shown = "stream=codec_type,codec_name,width,height:format=duration"
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", shown, "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


# --- named inputs -------------------------------------------------------------------------------------------


def test_plain_params_are_the_primary_input_and_a_json_object_names_inputs() -> None:
    defaults = {"Text": "", "Voice": "en-us"}
    assert parse_inputs("hello", "m", "Text", defaults) == {"Text": "hello", "Voice": "en-us"}
    assert parse_inputs('{"Text": "hi", "Voice": "de"}', "m", "Text", defaults) == {"Text": "hi", "Voice": "de"}


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ('{"Txt": "hi"}', "m takes no input 'Txt'; its inputs are Text, Voice"),
        ('{"Text": 3}', "m: input 'Text' must be a string, not int"),
        ('{"Voice": "de"}', "m needs input 'Text', and it is empty"),
        ('{"Text": "hi",', "m: the params are not a JSON object of inputs: Expecting property name enclosed"),
    ],
)
def test_a_misspelt_missing_or_mistyped_input_fails_the_step_saying_which(params: str, reason: str) -> None:
    with pytest.raises(ModuleFailed) as failed:
        parse_inputs(params, "m", "Text", {"Text": "", "Voice": "en-us"})
    assert failed.value.reason.startswith(reason)


# --- joke ---------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(topic=st.text(max_size=30), seed=st.integers(0, 10**6))
def test_a_joke_is_one_line_from_the_book_and_the_same_inputs_tell_the_same_joke(
    store: ContentStore, topic: str, seed: int
) -> None:
    params = json.dumps({"Topic": topic, "Seed": str(seed)})
    first = run_module(joke.NAME, params, store).stdout.decode()
    assert first == run_module(joke.NAME, params, store).stdout.decode()
    assert first.endswith("\n") and first.strip() in joke.JOKES


def test_different_seeds_tell_different_jokes(store: ContentStore) -> None:
    told = {run_module(joke.NAME, json.dumps({"Seed": str(seed)}), store).stdout for seed in range(40)}
    assert len(told) > len(joke.JOKES) // 2


def test_a_seed_that_is_not_a_number_is_refused(store: ContentStore) -> None:
    with pytest.raises(ModuleFailed, match="Seed must be a whole number"):
        run_module(joke.NAME, json.dumps({"Seed": "seven"}), store)


# --- caption ------------------------------------------------------------------------------------------------


def test_caption_writes_the_referenced_text_on_the_referenced_picture(store: ContentStore) -> None:
    told = stored(store, joke.NAME, {"Seed": "3"})
    picture = store.put(PICTURE)
    result = run_module(caption.NAME, json.dumps({"Image": picture, "Text": told}), store)
    out = Image.open(io.BytesIO(result.outputs[caption.OUTPUT]))
    before = Image.open(io.BytesIO(PICTURE)).convert("RGB")
    assert out.format == "PNG" and out.size == before.size
    assert out.info["Description"] == store.get(f"{told}/stdout").decode().strip()
    assert out.crop((0, 80, 160, 120)).tobytes() == before.crop((0, 80, 160, 120)).tobytes()  # the bottom is untouched
    assert out.crop((0, 0, 160, 30)).tobytes() != before.crop((0, 0, 160, 30)).tobytes()  # the band is drawn on top


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "is not a stored CID"),
        ("not a cid", "is not a stored CID"),
        ("TEXT", "the image is not a readable PNG or JPEG"),
        ("GIF", "the image is GIF, not PNG or JPEG"),
    ],
)
def test_caption_refuses_an_image_that_is_missing_or_not_a_picture(store: ContentStore, image: str, reason: str):
    if image == "TEXT":
        image = store.put(b"just text\n")
    elif image == "GIF":
        gif = io.BytesIO()
        Image.new("RGB", (8, 8)).save(gif, format="GIF")
        image = store.put(gif.getvalue())
    with pytest.raises(ModuleFailed, match=reason):
        run_module(caption.NAME, json.dumps({"Image": image, "Text": "hi"}), store)


def test_caption_refuses_a_decompression_bomb(store: ContentStore) -> None:
    huge = io.BytesIO()
    Image.new("1", (5000, 5000)).save(huge, format="PNG")  # 25 million pixels in a few kilobytes
    with pytest.raises(ModuleFailed, match="more than"):
        run_module(caption.NAME, json.dumps({"Image": store.put(huge.getvalue()), "Text": "hi"}), store)


# --- speak --------------------------------------------------------------------------------------------------


def test_speak_says_the_referenced_text_as_a_wav_that_lasts_as_long_as_speech(store: ContentStore) -> None:
    told = stored(store, joke.NAME, {"Seed": "1"})
    result = run_module(speak.NAME, json.dumps({"Text": told}), store)
    with wave.open(io.BytesIO(result.outputs[speak.OUTPUT])) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        samples = sound.readframes(sound.getnframes())
    words = len(store.get(f"{told}/stdout").split())
    assert words * 60 / 400 < seconds < words * 60 / 60  # between a very fast and a very slow speaker
    assert max(samples) > 64  # not silence
    assert result.stdout.decode().strip() == store.get(f"{told}/stdout").decode().strip()
    faster = run_module(speak.NAME, json.dumps({"Text": told, "Speed": "300"}), store).outputs[speak.OUTPUT]
    assert len(faster) < len(result.outputs[speak.OUTPUT])


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        ({"Text": "hi", "Voice": "--help"}, "is not an espeak-ng voice name"),
        ({"Text": "hi", "Voice": "en -w /tmp/x"}, "is not an espeak-ng voice name"),
        ({"Text": "hi", "Speed": "9000"}, "Speed must be a whole number of words a minute"),
        ({"Text": "x " * 1500}, "more than 2,000"),
        ({"Text": "   "}, "needs input 'Text'"),
    ],
)
def test_speak_refuses_what_could_reach_espeak_as_an_option_or_run_away(store: ContentStore, inputs, reason):
    with pytest.raises(ModuleFailed, match=reason):
        run_module(speak.NAME, json.dumps(inputs), store)


def test_text_that_looks_like_an_option_is_spoken_not_obeyed(store: ContentStore) -> None:
    result = run_module(speak.NAME, json.dumps({"Text": "--version -w /tmp/owned.wav"}), store)
    assert result.outputs[speak.OUTPUT].startswith(b"RIFF")


# --- video --------------------------------------------------------------------------------------------------


def test_video_joins_picture_and_speech_into_an_h264_aac_mp4_as_long_as_the_sound(store: ContentStore, tmp_path):
    picture = store.put(PICTURE)
    spoken = stored(store, speak.NAME, {"Text": "Why did the cow cross the road?"})
    with wave.open(io.BytesIO(store.get(f"{spoken}/outputs/{speak.OUTPUT}"))) as sound:
        seconds = sound.getnframes() / sound.getframerate()
    inputs = {"Image": picture, "Audio": f"{spoken}/outputs/{speak.OUTPUT}"}
    made = run_module(video.NAME, json.dumps(inputs), store).outputs[video.OUTPUT]
    probe = ffprobe(made, tmp_path)
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert (streams["video"]["width"], streams["video"]["height"]) == (160, 120)
    assert abs(float(probe["format"]["duration"]) - seconds) < 0.6
    assert run_module(video.NAME, json.dumps(inputs), store).outputs[video.OUTPUT] == made  # deterministic


def test_video_refuses_audio_that_is_not_a_wav_or_too_long(store: ContentStore) -> None:
    picture = store.put(PICTURE)
    with pytest.raises(ModuleFailed, match="not a readable WAV"):
        run_module(video.NAME, json.dumps({"Image": picture, "Audio": store.put(b"RIFF nonsense")}), store)
    long_sound = io.BytesIO()
    with wave.open(long_sound, "wb") as sound:
        sound.setnchannels(1), sound.setsampwidth(1), sound.setframerate(1000)
        sound.writeframes(b"\x80" * 61_000)
    with pytest.raises(ModuleFailed, match="lasts 61.0 s"):
        run_module(video.NAME, json.dumps({"Image": picture, "Audio": store.put(long_sound.getvalue())}), store)
