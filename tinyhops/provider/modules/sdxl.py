"""`sdxl:v0.9-lilypad1`, served locally: `outputs/image-<seed>.png` painted procedurally from prompt and seed.

The file is named as Lilypad's SDXL modules name it (`image-{seed}.png` in `/outputs`, seed 42 unless given;
Lilypad-Tech/lilypad-module-sdxl-pipeline, docker/inference.py), so the sample's seed 42 writes
`outputs/image-42.png` here as there.

Params are a plain prompt or JSON `{"prompt": ..., "seed": N, "width"?: W, "height"?: H}` (also as the named
inputs of Lilypad v2's sdxl-pipeline, `{"Prompt": ..., "Seed": "N"}`; numbers may be digit strings). References
to stored text in the prompt (CID or CID/path) are replaced by that text first; the prompt is written on the picture.
Everything random comes from sha256(prompt, seed, size), so the same params always give the same bytes, and a
different seed gives a different picture.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, PngImagePlugin

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.drawing import DRAWN_CHARS, draw_caption
from tinyhops.provider.modules.failure import require_unicode
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore, expand_cids

NAME = "sdxl:v0.9-lilypad1"
DEFAULT_SEED = 42
DEFAULT_SIZE = 512
MIN_SIZE, MAX_SIZE = 64, 1024
MAX_SEED = 2**64 - 1
_KEYS = ("prompt", "seed", "width", "height")
# Lilypad v2's sdxl-pipeline names its inputs `Prompt` and `Seed` (strings, as every input is): the same fields.
_INPUT_NAMES = {"Prompt": "prompt", "Seed": "seed"}

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    seed: int = DEFAULT_SEED
    width: int = DEFAULT_SIZE
    height: int = DEFAULT_SIZE


def _integer(fields: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = fields.get(key, default)
    if isinstance(value, str) and value.isascii() and value.isdigit():  # a named input is a string
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ModuleFailed(f"sdxl: {key} must be a whole number from {low} to {high}, got {value!r}")
    return value


def parse(params: str) -> ImageRequest:
    """A plain prompt, or a JSON object with a prompt and optional seed, width and height."""
    try:
        fields = json.loads(params)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        return ImageRequest(prompt=params)
    fields = {_INPUT_NAMES.get(key, key): value for key, value in fields.items()}
    unknown = sorted(set(fields) - set(_KEYS))
    if unknown:
        raise ModuleFailed(f"sdxl: unknown params key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    prompt = fields.get("prompt")
    if not isinstance(prompt, str):
        raise ModuleFailed('sdxl: params JSON needs a "prompt" string')
    require_unicode(prompt, "sdxl: the prompt")
    return ImageRequest(
        prompt=prompt,
        seed=_integer(fields, "seed", DEFAULT_SEED, 0, MAX_SEED),
        width=_integer(fields, "width", DEFAULT_SIZE, MIN_SIZE, MAX_SIZE),
        height=_integer(fields, "height", DEFAULT_SIZE, MIN_SIZE, MAX_SIZE),
    )


def _color(rng: random.Random, low: int = 0, high: int = 255) -> RGB:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


def _background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A rotated two-colour gradient, a soft glow and cloudy noise."""
    angle = rng.uniform(0, 360)
    # The centre of a rotated 256x256 gradient is covered at any angle, so crop it before scaling.
    mask = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BILINEAR)
    mask = mask.crop((64, 64, 192, 192)).resize(size, Image.Resampling.BILINEAR)
    picture = Image.composite(Image.new("RGB", size, _color(rng)), Image.new("RGB", size, _color(rng)), mask)
    # A 128x128 window of the 256x256 radial gradient: the glow's centre moves with the window.
    left, top = rng.randint(0, 128), rng.randint(0, 128)
    glow = Image.radial_gradient("L").crop((left, top, left + 128, top + 128))
    glow = glow.resize(size, Image.Resampling.BILINEAR)
    picture = Image.composite(picture, Image.new("RGB", size, _color(rng, 128)), glow)
    small = (max(1, size[0] // 16), max(1, size[1] // 16))
    clouds = Image.frombytes("L", small, rng.randbytes(small[0] * small[1])).filter(ImageFilter.BoxBlur(1))
    clouds = clouds.resize(size, Image.Resampling.BICUBIC).convert("RGB")
    return Image.blend(picture, clouds, 0.18)


def _shapes(rng: random.Random, picture: Image.Image) -> Image.Image:
    """Translucent circles, boxes and polygons, then a slight blur."""
    width, height = picture.size
    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(6, 14)):
        fill = (*_color(rng), rng.randint(60, 170))
        x, y = rng.randint(0, width), rng.randint(0, height)
        r = rng.randint(min(width, height) // 20, min(width, height) // 4)
        kind = rng.randrange(3)
        if kind == 0:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif kind == 1:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=fill)
        else:
            sides, rotation = rng.randint(3, 8), rng.uniform(0, 360)
            draw.regular_polygon((x, y, r), n_sides=sides, rotation=rotation, fill=fill)
    layer = layer.filter(ImageFilter.GaussianBlur(1.5))
    return Image.alpha_composite(picture.convert("RGBA"), layer)


def render(request: ImageRequest) -> bytes:
    """The PNG for `request`: the same request always gives the same bytes."""
    key = json.dumps([request.prompt, request.seed, request.width, request.height], ensure_ascii=False)
    rng = random.Random(hashlib.sha256(key.encode("utf-8")).digest())
    size = (request.width, request.height)
    picture = draw_caption(_shapes(rng, _background(rng, size)), request.prompt, "(empty prompt)").convert("RGB")
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Software", NAME)
    info.add_itxt("Description", f"seed={request.seed} prompt={request.prompt[:DRAWN_CHARS]}")
    out = io.BytesIO()
    picture.save(out, format="PNG", pnginfo=info, compress_level=6)
    return out.getvalue()


def image_name(seed: int) -> str:
    """The picture's file name under `outputs/`."""
    return f"image-{seed}.png"


def run(params: str, store: ContentStore) -> JobResult:
    request = parse(params)
    prompt = expand_cids(request.prompt, store).text
    if not prompt.strip():
        raise ModuleFailed("sdxl needs a prompt: the prompt is empty")
    picture = render(ImageRequest(prompt, request.seed, request.width, request.height))
    return JobResult(outputs={image_name(request.seed): picture})
