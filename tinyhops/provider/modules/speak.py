"""`speak:v0.0.1`, served locally: text spoken by espeak-ng into `outputs/speech.wav`.

Lilypad's speech module is kokoro (a model whose weights cannot be fetched here); this local module gives the
same shape of result with real speech synthesis from Debian's espeak-ng, which `make install` installs.
Inputs: `Text` (the primary input; references to stored text are replaced by it, so `{{stepId:1}}` speaks an
earlier step's stdout), `Voice` (an espeak-ng voice name, default `en-us`) and `Speed` (words a minute,
80-400, default 150). The text goes to espeak-ng on stdin, never on its command line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.inputs import parse_inputs
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore, expand_cids

NAME = "speak:v0.0.1"
DEFAULTS = {"Text": "", "Voice": "en-us", "Speed": "150"}
OUTPUT = "speech.wav"
MAX_TEXT_CHARS = 2_000
SPEED_RANGE = (80, 400)
TIMEOUT_SECONDS = 120
# espeak-ng voice names: a language code and optional variants (en-us, en+f3, pt-br); nothing an option could hide in.
_VOICE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*(?:\+[a-z0-9]{1,8})?")


def espeak() -> str:
    """The espeak-ng program, or `ModuleFailed` saying how to get it."""
    found = shutil.which("espeak-ng")
    if found is None:
        raise ModuleFailed(f"{NAME} needs espeak-ng on PATH (make install installs Debian's espeak-ng)")
    return found


def synthesize(text: str, voice: str, speed: int) -> bytes:
    """`text` spoken by espeak-ng, as WAV bytes."""
    with tempfile.TemporaryDirectory(prefix="tinyhops-speak-") as folder:
        wav = Path(folder) / OUTPUT
        done = subprocess.run(
            [espeak(), "-v", voice, "-s", str(speed), "-w", str(wav), "--stdin"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0 or not wav.is_file():
            reason = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
            raise ModuleFailed(f"{NAME}: espeak-ng failed: {reason}")
        return wav.read_bytes()


def run(params: str, store: ContentStore) -> JobResult:
    inputs = parse_inputs(params, NAME, "Text", DEFAULTS)
    text = " ".join(expand_cids(inputs["Text"], store).text.split())
    if not text:
        raise ModuleFailed(f"{NAME} has nothing to say: Text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ModuleFailed(f"{NAME}: Text is {len(text):,} characters, more than {MAX_TEXT_CHARS:,}")
    voice = inputs["Voice"].strip()
    if not _VOICE.fullmatch(voice):
        raise ModuleFailed(f"{NAME}: {voice[:40]!r} is not an espeak-ng voice name (such as en-us)")
    try:
        speed = int(inputs["Speed"])
    except ValueError:
        speed = 0
    if not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]:
        raise ModuleFailed(f"{NAME}: Speed must be a whole number of words a minute, {SPEED_RANGE[0]}-{SPEED_RANGE[1]}")
    return JobResult(stdout=(text + "\n").encode("utf-8"), outputs={OUTPUT: synthesize(text, voice, speed)})
