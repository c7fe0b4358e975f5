"""`video:v0.0.1`, served locally: a still picture and a sound joined into a short video by ffmpeg.

Lilypad's video module is wan2.1 (a model whose weights cannot be fetched here); this local module makes the
audiovisual part of the cow meme with Debian's ffmpeg, which `make install` installs. Inputs: `Image`, a CID or
CID/path of a PNG or JPEG, and `Audio`, a CID or CID/path of a WAV file (for example
`{{stepId:4}}/outputs/speech.wav`). Writes `outputs/video.mp4`: H.264 video of the picture for as long as the
sound lasts, with the sound as AAC, playable by any browser or player. Both inputs are checked before ffmpeg
sees them (the picture is re-encoded as PNG, the sound must parse as WAV and last at most MAX_SECONDS), and
ffmpeg runs single-threaded with bit-exact flags, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.caption import MAX_IMAGE_BYTES, load_picture
from tinyhops.provider.modules.inputs import parse_inputs, read_file
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore

NAME = "video:v0.0.1"
DEFAULTS = {"Image": "", "Audio": ""}
OUTPUT = "video.mp4"
MAX_AUDIO_BYTES = 32 << 20
MAX_SECONDS = 60.0
TIMEOUT_SECONDS = 300


def ffmpeg() -> str:
    """The ffmpeg program, or `ModuleFailed` saying how to get it."""
    found = shutil.which("ffmpeg")
    if found is None:
        raise ModuleFailed(f"{NAME} needs ffmpeg on PATH (make install installs Debian's ffmpeg)")
    return found


def wav_seconds(data: bytes) -> float:
    """How long the WAV sound in `data` lasts; `ModuleFailed` unless it is a WAV of 0 < length <= MAX_SECONDS."""
    try:
        with wave.open(io.BytesIO(data)) as sound:
            seconds = sound.getnframes() / sound.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError):
        raise ModuleFailed(f"{NAME}: the audio is not a readable WAV file") from None
    if not 0 < seconds <= MAX_SECONDS:
        raise ModuleFailed(f"{NAME}: the audio lasts {seconds:.1f} s; a video takes 0-{MAX_SECONDS:g} s")
    return seconds


def join(picture_png: bytes, audio_wav: bytes, seconds: float) -> bytes:
    """The MP4 of `picture_png` shown while `audio_wav` plays (`seconds` long)."""
    with tempfile.TemporaryDirectory(prefix="tinyhops-video-") as folder:
        image, audio, video = (Path(folder) / name for name in ("image.png", "audio.wav", OUTPUT))
        image.write_bytes(picture_png)
        audio.write_bytes(audio_wav)
        command = [
            ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
            "-loop", "1", "-framerate", "2", "-i", str(image), "-i", str(audio),
            "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p",
            "-c:v", "libx264", "-tune", "stillimage", "-preset", "veryfast", "-x264-params", "threads=1",
            "-c:a", "aac", "-b:a", "96k", "-t", f"{seconds:.3f}",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-movflags", "+faststart", str(video),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        if done.returncode != 0 or not video.is_file():
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ModuleFailed(f"{NAME}: ffmpeg failed: {reason[-1] if reason else done.returncode}")
        return video.read_bytes()


def run(params: str, store: ContentStore) -> JobResult:
    inputs = parse_inputs(params, NAME, "Image", DEFAULTS)
    picture = load_picture(read_file(inputs["Image"], store, NAME, "Image", MAX_IMAGE_BYTES), NAME)
    audio = read_file(inputs["Audio"], store, NAME, "Audio", MAX_AUDIO_BYTES)
    seconds = wav_seconds(audio)
    png = io.BytesIO()
    picture.convert("RGB").save(png, format="PNG")
    video = join(png.getvalue(), audio, seconds)
    return JobResult(stdout=f"{OUTPUT}: {seconds:.2f} s\n".encode(), outputs={OUTPUT: video})
