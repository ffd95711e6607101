"""Pictures: QR codes (PNG, SVG), the printable A4 campaign poster (vector PDF), the funnel chart.

The poster is drawn with reportlab in the PDF's own Helvetica (Latin text is all it needs) and its
QR codes as filled squares, so both stay sharp at any print size. The chart is drawn with Pillow's
bundled font, so no system fonts are needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from itertools import groupby

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

GREEN = (0, 122, 77)
LIGHT = (230, 244, 236)
INK = (33, 37, 41)
GREY = (108, 117, 125)
WHITE = (255, 255, 255)

QUIET = 4  # modules of white around a QR code, as the standard asks
# Runs of at least this many digits or upper-case letters go in the QR code's numeric or
# alphanumeric mode (3.3 and 5.5 bits a character instead of 8): the number of a wa.me link and
# the upper-case text after it. Shorter runs stay in the segment around them: a segment's header
# (12-14 bits, and another to go back) would cost about what they save.
SEGMENT_MINIMUM = 10


def _qr(data: str, box_size: int = 10) -> qrcode.QRCode:
    """The smallest QR code for `data` at error correction level M.

    M (15% of the code may be lost) rather than L (7%): a poster at a market stall gets creased,
    taped over, splashed and laminated with glare. For the campaign links L buys little: the
    WhatsApp link is version 4 (33 modules) at either level, and only a Telegram link with one of
    the longest codes would drop from 37 modules to 33."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=QUIET)
    code.add_data(data, optimize=SEGMENT_MINIMUM)
    code.make(fit=True)
    return code


def qr_modules(data: str) -> int:
    """How many modules wide the QR code for `data` is (21 for version 1, 4 more a version)."""
    return _qr(data).modules_count


def qr_png(data: str, box_size: int = 10) -> bytes:
    buffer = BytesIO()
    _qr(data, box_size).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode").encode()


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
    when: str  # the campaign's dates
    campaigner: str | None  # their name and number, when the campaign has one
    footer: str
    codes: Sequence[tuple[str, str, str]]  # (caption, link shown, link encoded in the QR)


WIDTH, HEIGHT = A4  # points
MARGIN = 36
TEXT_WIDTH = WIDTH - 2 * MARGIN
BOLD, REGULAR = "Helvetica-Bold", "Helvetica"
LEADING = 1.25
FOOTER = 40


def _color(rgb: tuple[int, int, int]) -> Color:
    return Color(*(channel / 255 for channel in rgb))


def _wrapped(text: str, font: str, size: float, most: int = 3) -> list[str]:
    """`text` in lines as wide as the page allows; past `most` lines it is cut short with '…' (a
    place or a name typed far too long must leave room for the QR codes)."""
    lines = simpleSplit(text, font, size, TEXT_WIDTH)
    if len(lines) <= most:
        return lines
    last = lines[most - 1]
    while last and stringWidth(last + " …", font, size) > TEXT_WIDTH:
        last = last[:-1]
    return [*lines[: most - 1], last.rstrip() + " …"]


def _height(text: str, font: str, size: float, most: int = 3) -> float:
    return size * LEADING * len(_wrapped(text, font, size, most))


class _Sheet:
    """A canvas written from the top down: `y` is where the next line's top goes."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = HEIGHT

    def lines(
        self, text: str, font: str, size: float, rgb: tuple[int, int, int], most: int = 3
    ) -> None:
        """`text` wrapped to the page's width and centred, from `y` down, in `most` lines."""
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(_color(rgb))
        for line in _wrapped(text, font, size, most):
            self.canvas.drawCentredString(WIDTH / 2, self.y - size, line)
            self.y -= size * LEADING

    def band(self, top: float, bottom: float, rgb: tuple[int, int, int]) -> None:
        """A coloured band across the whole page."""
        self.canvas.setFillColor(_color(rgb))
        self.canvas.rect(0, bottom, WIDTH, top - bottom, stroke=0, fill=1)


def _dark_runs(row: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row of a QR code."""
    start = 0
    for dark, run in groupby(row):
        length = len(list(run))
        if dark:
            yield start, length
        start += length


def _draw_qr(canvas: Canvas, data: str, left: float, top: float, width: float) -> None:
    """`data` as a QR code of filled squares, `width` points wide without its quiet zone.

    One path for the whole code, so no hairline shows between touching squares."""
    modules = _qr(data).modules
    size = width / len(modules)
    path = canvas.beginPath()
    for index, row in enumerate(modules):
        for start, length in _dark_runs([bool(cell) for cell in row]):
            path.rect(left + start * size, top - (index + 1) * size, length * size, size)
    canvas.setFillColor(_color((0, 0, 0)))
    canvas.drawPath(path, stroke=0, fill=1)


def _fitting(text: str, font: str, size: float, width: float) -> float:
    """`size`, or smaller until `text` fits in `width`."""
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _header(sheet: _Sheet, text: PosterText) -> None:
    """The green band with the title and who it is for, then the slogan and the pitch."""
    band = 78 + _height(text.subtitle, REGULAR, 15) + 14
    sheet.band(HEIGHT, HEIGHT - band, GREEN)
    sheet.y = HEIGHT - 30
    sheet.lines(text.title, BOLD, 30, WHITE)
    sheet.y = HEIGHT - 78
    sheet.lines(text.subtitle, REGULAR, 15, WHITE)
    sheet.y = HEIGHT - band - 22
    sheet.lines(text.slogan, BOLD, 32, GREEN)
    sheet.y -= 4
    sheet.lines(text.pitch, REGULAR, 15, INK)


def _price(sheet: _Sheet, price: str, note: str | None) -> None:
    """Today's price, and its note, on a light rounded box."""
    top = sheet.y - 14
    bottom = top - 14 - 28 * LEADING - (_height(note, REGULAR, 12) if note else 0) - 10
    sheet.canvas.setFillColor(_color(LIGHT))
    sheet.canvas.roundRect(MARGIN, bottom, TEXT_WIDTH, top - bottom, 14, stroke=0, fill=1)
    sheet.y = top - 14
    sheet.lines(price, BOLD, 28, INK)
    if note:
        sheet.lines(note, REGULAR, 12, GREY)
    sheet.y = bottom - 16


def _footer(sheet: _Sheet, footer: str, campaigner: str | None) -> float:
    """From the page's foot up: a green band with the code and the contact number, and above it
    the campaigner. Returns the top of what it drew; `sheet.y` is left where it was."""
    y = sheet.y
    sheet.band(FOOTER, 0, GREEN)
    sheet.y = FOOTER - 14
    sheet.lines(footer, REGULAR, 12, WHITE)
    top = FOOTER + 12
    if campaigner:
        top += _height(campaigner, BOLD, 14, most=2)
        sheet.y = top
        sheet.lines(campaigner, BOLD, 14, INK, most=2)
    sheet.y = y
    return top


def _codes(sheet: _Sheet, codes: Sequence[tuple[str, str, str]], bottom: float) -> None:
    """Each code's caption, QR code and link shown, side by side, centred between `sheet.y` and
    `bottom`.

    The codes are printed as wide as the page allows: the wider their modules, the further away a
    phone reads them. White of at least 4 modules around each: the page's margin at the sides,
    at least 8 modules between two codes, and above and below."""
    count, canvas = len(codes), sheet.canvas
    quiet = QUIET / max(qr_modules(link) for _, _, link in codes)  # of a code's width
    caption, shown = 16 * LEADING, 10 * LEADING
    width = min(
        TEXT_WIDTH / (count + 2 * quiet * (count - 1)),
        MARGIN / quiet,  # the margin is the quiet zone at the sides
        (sheet.y - bottom - caption - shown) / (1 + 2 * quiet),
        300,
    )
    height = caption + width * (1 + 2 * quiet) + shown
    top = (sheet.y + bottom + height) / 2 - caption - width * quiet  # the QR codes' top edge
    gap = (TEXT_WIDTH - count * width) / max(count - 1, 1)
    for index, (label, seen, link) in enumerate(codes):
        left = MARGIN + index * (width + gap) if count > 1 else (WIDTH - width) / 2
        middle = left + width / 2
        canvas.setFillColor(_color(INK))
        canvas.setFont(BOLD, _fitting(label, BOLD, 16, width + gap / 2))
        canvas.drawCentredString(middle, top + width * quiet + 4, label)
        _draw_qr(canvas, link, left, top, width)
        canvas.setFillColor(_color(GREY))
        canvas.setFont(REGULAR, _fitting(seen, REGULAR, 10, width + gap / 2))
        canvas.drawCentredString(middle, top - width * (1 + quiet) - 10, seen)
    sheet.y = top - width * (1 + quiet) - shown


def poster(text: PosterText) -> bytes:
    """The A4 poster as a vector PDF: its words are PDF text, its QR codes filled squares."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)  # the same poster, the same bytes
    canvas.setTitle(f"{text.title} · {text.place}")
    sheet = _Sheet(canvas)
    _header(sheet, text)
    _price(sheet, text.price, text.price_note)
    sheet.lines(text.place, BOLD, 16, INK, most=2)
    sheet.lines(text.when, REGULAR, 14, INK)
    sheet.y -= 10
    bottom = _footer(sheet, text.footer, text.campaigner)
    _codes(sheet, list(text.codes)[:2], bottom + 6)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


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
