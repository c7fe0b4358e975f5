"""`caption:v0.0.1`, served locally: a stored picture with a text written across its top, meme style.

Inputs: `Image`, a CID or CID/path of a PNG or JPEG (for example `{{stepId:2}}/outputs/image.png`), and `Text`,
the caption (references to stored text in it are replaced by that text, so `{{stepId:1}}` captions with an
earlier step's stdout). Writes `outputs/captioned.png`, the same size as the picture; the same inputs always
give the same bytes.
"""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin, UnidentifiedImageError

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.drawing import DRAWN_CHARS, draw_caption
from tinyhops.provider.modules.inputs import parse_inputs, read_file
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore, expand_cids

NAME = "caption:v0.0.1"
DEFAULTS = {"Image": "", "Text": ""}
OUTPUT = "captioned.png"
MAX_IMAGE_BYTES = 16 << 20
MAX_PIXELS = 4096 * 4096  # Pillow's own bomb check starts at about 89 million pixels; a caption needs far fewer
IMAGE_FORMATS = ("PNG", "JPEG")


def load_picture(data: bytes, module: str) -> Image.Image:
    """The picture in `data` as RGBA, refusing anything but a PNG or JPEG of at most MAX_PIXELS."""
    try:
        picture = Image.open(io.BytesIO(data))
        if picture.format not in IMAGE_FORMATS:
            raise ModuleFailed(f"{module}: the image is {picture.format}, not PNG or JPEG")
        if picture.width * picture.height > MAX_PIXELS:
            size = f"{picture.width}x{picture.height}"
            raise ModuleFailed(f"{module}: the image is {size}, more than {MAX_PIXELS:,} pixels")
        return picture.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ModuleFailed(f"{module}: the image is not a readable PNG or JPEG") from None


def run(params: str, store: ContentStore) -> JobResult:
    inputs = parse_inputs(params, NAME, "Text", DEFAULTS)
    picture = load_picture(read_file(inputs["Image"], store, NAME, "Image", MAX_IMAGE_BYTES), NAME)
    text = expand_cids(inputs["Text"], store).text.strip()
    if not text:
        raise ModuleFailed(f"{NAME} needs a Text to write: it is empty")
    captioned = draw_caption(picture, text, top=True).convert("RGB")
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Software", NAME)
    info.add_itxt("Description", text[:DRAWN_CHARS])
    out = io.BytesIO()
    captioned.save(out, format="PNG", pnginfo=info, compress_level=6)
    return JobResult(outputs={OUTPUT: out.getvalue()})
