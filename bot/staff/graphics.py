"""Pictures: QR codes (PNG, SVG), the printable A4 campaign poster, and the funnel chart.

Drawn with Pillow's bundled font, so no system fonts are needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

GREEN = (0, 122, 77)
LIGHT = (230, 244, 236)
INK = (33, 37, 41)
GREY = (108, 117, 125)
A4_150DPI = (1240, 1754)


def qr_png(data: str, box_size: int = 10) -> bytes:
    image = qrcode.make(data, box_size=box_size, border=4, error_correction=ERROR_CORRECT_M)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathImage, error_correction=ERROR_CORRECT_M
    )
    return image.to_string(encoding="unicode").encode()


def _qr_image(data: str, size: int) -> Image.Image:
    """A QR code at most `size` pixels wide, every module the same whole number of pixels."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    code.box_size = max(1, size // (code.modules_count + 2 * code.border))
    image = code.make_image().get_image().convert("RGB")
    framed = Image.new("RGB", (size, size), "white")
    framed.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    return framed


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def _fitting(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The font at `size`, or smaller until `text` fits in `width`."""
    while size > 12 and draw.textlength(text, font=_font(size)) > width - 20:
        size -= 1
    return _font(size)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _centered(
    draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill: tuple, width: int
) -> int:
    """Draw wrapped, centred text from `y`; return the y below it."""
    font = _font(size)
    for line in _wrap(draw, text, font, width - 120):
        draw.text((width // 2, y), line, font=font, fill=fill, anchor="ma")
        y += int(size * 1.25)
    return y


@dataclass(frozen=True)
class PosterText:
    """Everything the poster says, already translated and formatted."""

    title: str
    subtitle: str
    slogan: str
    pitch: str
    price: str
    price_note: str | None
    place: str
    footer: str
    codes: Sequence[tuple[str, str, str]]  # (caption, link shown, link encoded in the QR)


def poster(text: PosterText) -> tuple[bytes, bytes]:
    """An A4 poster (150 dpi) as PNG and as PDF."""
    width, height = A4_150DPI
    image = Image.new("RGB", A4_150DPI, "white")
    draw = ImageDraw.Draw(image)
    band = 160 + 50 * len(_wrap(draw, text.subtitle, _font(40), width - 120)) + 40
    draw.rectangle((0, 0, width, band), fill=GREEN)
    _centered(draw, 55, text.title, 72, (255, 255, 255), width)
    _centered(draw, 160, text.subtitle, 40, (255, 255, 255), width)
    y = _centered(draw, band + 60, text.slogan, 88, GREEN, width)
    y = _centered(draw, y + 20, text.pitch, 40, INK, width)
    draw.rounded_rectangle((100, y + 30, width - 100, y + 230), radius=30, fill=LIGHT)
    _centered(draw, y + 60, text.price, 76, INK, width)
    if text.price_note:
        _centered(draw, y + 160, text.price_note, 34, GREY, width)
    y += 280
    codes = list(text.codes)[:2]
    size = 560 if len(codes) == 1 else 470
    gap = (width - size * len(codes)) // (len(codes) + 1)
    for index, (caption, shown, link) in enumerate(codes):
        x = gap + index * (size + gap)
        draw.text((x + size // 2, y), caption, font=_font(44), fill=INK, anchor="ma")
        image.paste(_qr_image(link, size), (x, y + 65))
        draw.text(
            (x + size // 2, y + size + 80),
            shown,
            font=_fitting(draw, shown, 24, size + gap),
            fill=GREY,
            anchor="ma",
        )
    y += size + 140
    y = _centered(draw, y, text.place, 44, INK, width)
    draw.rectangle((0, height - 110, width, height), fill=GREEN)
    _centered(draw, height - 80, text.footer, 30, (255, 255, 255), width)
    png, pdf = BytesIO(), BytesIO()
    image.save(png, format="PNG")
    image.save(pdf, format="PDF", resolution=150)
    return png.getvalue(), pdf.getvalue()


def funnel_chart(title: str, stages: Sequence[tuple[str, int]]) -> bytes:
    """Horizontal bars, one a funnel stage, each with its count and share of the first."""
    width, row = 1100, 80
    height = 140 + row * len(stages)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 35), title, font=_font(38), fill=INK)
    top = max((count for _, count in stages), default=0) or 1
    first = stages[0][1] if stages else 0
    for index, (label, count) in enumerate(stages):
        y = 110 + index * row
        draw.text((40, y + 18), label, font=_font(28), fill=INK)
        bar = int(560 * count / top)
        draw.rectangle((360, y + 8, 360 + max(bar, 2), y + row - 16), fill=GREEN)
        share = f" ({100 * count / first:.0f}%)" if first else ""
        draw.text((375 + bar, y + 18), f"{count}{share}", font=_font(28), fill=INK)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
