"""Text on pictures, shared by the local image modules: greedy word wrap and a caption band."""

from __future__ import annotations

import re

from PIL import Image, ImageDraw, ImageFont

# Characters of a text drawn on a picture (sdxl's whole prompt still seeds its picture).
DRAWN_CHARS = 400
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """Greedy word wrap to `width` pixels; a word wider than a line is broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and font.getlength(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def draw_caption(picture: Image.Image, text: str, placeholder: str = "", *, top: bool = False) -> Image.Image:
    """`text` (its first DRAWN_CHARS characters, control characters as spaces; `placeholder` if that leaves
    nothing) in Pillow's default font on a dark band along the bottom of `picture` (the top with `top`);
    returns an RGBA picture."""
    text = _CONTROL.sub(" ", text)[:DRAWN_CHARS].strip() or placeholder
    width, height = picture.size
    font = ImageFont.load_default(size=max(10, min(width, height) // 26))
    line_height = int(font.getbbox("Hg")[3] * 1.25) + 1
    margin = max(6, width // 40)
    lines = wrap(text, font, width - 2 * margin)
    fit = max(1, (height // 3) // line_height)
    if len(lines) > fit:
        lines = lines[:fit]
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 3)] + "..."
    band_height = len(lines) * line_height + 2 * margin
    band_top = 0 if top else height - band_height
    overlay = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, band_top, width, band_top + band_height), fill=(0, 0, 0, 140))
    for i, line in enumerate(lines):
        draw.text((margin, band_top + margin + i * line_height), line, font=font, fill=(255, 255, 255, 255))
    return Image.alpha_composite(picture, overlay)
