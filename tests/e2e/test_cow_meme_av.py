"""The original's "ultimate goal" example, end to end: examples/cow-meme-av.thops.json through the real
provider makes a joke, a captioned picture, the joke spoken and a video of picture and speech."""

from __future__ import annotations

import io
import json
import subprocess
import wave

import pytest
from PIL import Image

from tinyhops import spec
from tinyhops.chain.registry_client import WorkflowStatus
from tinyhops.paths import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "cow-meme-av.thops.json"


@pytest.mark.parametrize("stack", ["e2e", "e2e_v2"], ids=["lilypad-v1", "lilypad-v2"])
def test_the_cow_meme_becomes_a_playable_video_that_speaks_the_joke(stack, request, tmp_path):
    e2e = request.getfixturevalue(stack)
    workflow = spec.load(EXAMPLE)
    child = e2e.start_provider()
    view = e2e.wait_final(e2e.client.submit(workflow, e2e.user), child)
    assert view.status is WorkflowStatus.COMPLETED, child.output_tail()
    results = {step.step_id: step.result_cid for step in view.steps}
    joke = e2e.store.get(f"{results[1]}/stdout").decode().strip()
    assert joke and joke in e2e.store.get(f"{results[3]}/stdout").decode()  # the cow tells it, unwrapped

    captioned = Image.open(io.BytesIO(e2e.store.get(f"{results[4]}/outputs/captioned.png")))
    assert captioned.info["Description"] == joke  # the picture carries the joke
    with wave.open(io.BytesIO(e2e.store.get(f"{results[5]}/outputs/speech.wav"))) as sound:
        seconds = sound.getnframes() / sound.getframerate()
    assert e2e.store.get(f"{results[5]}/stdout").decode().strip() == joke  # what was spoken

    movie = tmp_path / "meme.mp4"
    movie.write_bytes(e2e.store.get(f"{results[6]}/outputs/video.mp4"))
    shown = "stream=codec_type,codec_name:format=duration"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", shown, "-of", "json", str(movie)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    probed = json.loads(probe.stdout)
    assert {s["codec_type"]: s["codec_name"] for s in probed["streams"]} == {"video": "h264", "audio": "aac"}
    assert abs(float(probed["format"]["duration"]) - seconds) < 0.6
    # every frame decodes: ffmpeg reads the whole file to the end without an error
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(movie), "-f", "null", "-"], capture_output=True)
    assert decoded.returncode == 0 and not decoded.stderr, decoded.stderr
    assert child.stop() == 0
