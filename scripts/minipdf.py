"""A tiny, dependency-free writer of deterministic PDFs (standard Type1 fonts, A4 pages).

Made for test fixtures and sample reports: the same input always gives the same bytes
(no dates, no random file IDs, uncompressed streams), and `pypdf` extracts the text back.

Text uses Helvetica (headings Helvetica-Bold) with WinAnsiEncoding. Letters outside
WinAnsi that appear in Balkan and Central Asian names (ć, č, đ, ğ, ı, ş, ł, ...) are given
spare byte codes through an /Encoding /Differences array, and every font carries a
/ToUnicode CMap so that text extractors map each code back to the right character.

    write_pdf("report.pdf", ["# Title\\n\\nFirst paragraph.", ["explicit line", "another"]],
              title="Report", header="OSCE — Sample", footer="Page {page} of {pages}")
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "PdfLayoutError",
    "SUPPORTED_EXTRA_CHARS",
    "image_pdf_bytes",
    "pdf_bytes",
    "write_image_pdf",
    "write_pdf",
]

PAGE_WIDTH = 595  # A4 in points
PAGE_HEIGHT = 842
MARGIN_X = 50
BODY_TOP = 784
BODY_BOTTOM = 58
HEADER_Y = 810
FOOTER_Y = 36
HEADER_FONT_SIZE = 8
LEADING = 1.3  # line height as a multiple of the font size

# Characters beyond WinAnsi and their Adobe glyph names (all in the standard Helvetica set).
_EXTRA_CHARS = "ćčđğışłőűńśźżęąřěůāēīūĆČĐĞİŞŁŚŹŻ"
_EXTRA_GLYPH_NAMES = (
    "cacute ccaron dcroat gbreve dotlessi scedilla lslash ohungarumlaut uhungarumlaut nacute "
    "sacute zacute zdotaccent eogonek aogonek rcaron ecaron uring amacron emacron imacron "
    "umacron Cacute Ccaron Dcroat Gbreve Idotaccent Scedilla Lslash Sacute Zacute Zdotaccent"
).split()
_EXTRA_GLYPHS = tuple(zip(_EXTRA_CHARS, _EXTRA_GLYPH_NAMES, strict=True))
# Byte codes that WinAnsiEncoding leaves undefined, so they are free to reassign.
_FREE_CODES = (*range(0x01, 0x20), 0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D)
_EXTRA_CODES: dict[str, int] = {
    char: code for (char, _), code in zip(_EXTRA_GLYPHS, _FREE_CODES, strict=False)
}
SUPPORTED_EXTRA_CHARS = _EXTRA_CHARS
"""Letters outside WinAnsiEncoding that `write_pdf` can still draw and round-trip."""

_FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold"}

PageSpec = str | Sequence[str]


class PdfLayoutError(ValueError):
    """Raised when text cannot be encoded or does not fit on its page."""


def write_pdf(
    path: str | os.PathLike[str],
    pages: Sequence[PageSpec],
    *,
    title: str | None = None,
    header: str | None = None,
    footer: str | None = None,
    font_size: float = 11,
    line_width_chars: int = 90,
) -> None:
    """Write a text PDF to `path`; see `pdf_bytes` for the arguments.

    An empty `pages` list writes a valid PDF with zero pages.
    """
    data = pdf_bytes(
        pages,
        title=title,
        header=header,
        footer=footer,
        font_size=font_size,
        line_width_chars=line_width_chars,
    )
    Path(path).write_bytes(data)


def pdf_bytes(
    pages: Sequence[PageSpec],
    *,
    title: str | None = None,
    header: str | None = None,
    footer: str | None = None,
    font_size: float = 11,
    line_width_chars: int = 90,
) -> bytes:
    """Lay out `pages` and return the bytes of a deterministic PDF.

    Each page is either a string or a sequence of explicit lines:

    - a string holds paragraphs separated by blank lines; the lines of one paragraph are
      joined with spaces and re-wrapped at `line_width_chars`. A source line ending in a
      backslash forces a line break there and is joined to the next without a space, so
      ``"the train-\\\\\\ning"`` draws "train-" at the end of one line and "ing" at the start
      of the next.
    - a sequence of strings is drawn line by line as given (no wrapping); an empty string
      leaves a blank line.

    In both forms a paragraph or line starting with ``"# "`` is a heading (bold, larger).
    `header` and `footer` are drawn on every page in small type; ``{page}`` and ``{pages}``
    in them are replaced by the page number and the page count.
    """
    if font_size <= 0:
        raise PdfLayoutError(f"font_size must be positive, got {font_size}")
    if line_width_chars < 20:
        raise PdfLayoutError(f"line_width_chars must be at least 20, got {line_width_chars}")
    streams = []
    for number, page in enumerate(pages, start=1):
        lines = _layout(page, line_width_chars) if isinstance(page, str) else list(page)
        # Header first and footer last, so extractors read them in that order too.
        ops = _running_line(header, HEADER_Y, number, len(pages))
        ops += _body_ops(lines, font_size, number)
        ops += _running_line(footer, FOOTER_Y, number, len(pages))
        streams.append("\n".join(ops).encode("latin-1"))
    fonts = _font_objects() if pages else []
    return _assemble(streams, fonts, title)


def write_image_pdf(
    path: str | os.PathLike[str], *, title: str | None = None, size_px: int = 16
) -> None:
    """Write a one-page PDF whose only content is a small grey image (no text at all)."""
    Path(path).write_bytes(image_pdf_bytes(title=title, size_px=size_px))


def image_pdf_bytes(*, title: str | None = None, size_px: int = 16) -> bytes:
    """Return the bytes of a one-page PDF showing a `size_px` square grey gradient image."""
    if not 1 <= size_px <= 256:
        raise PdfLayoutError(f"size_px must be between 1 and 256, got {size_px}")
    pixels = bytes(
        (64 + (x + y) * 128 // (2 * size_px)) for y in range(size_px) for x in range(size_px)
    )
    image = (
        (
            f"<< /Type /XObject /Subtype /Image /Width {size_px} /Height {size_px} "
            f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(pixels)} >>\n"
        ).encode("ascii")
        + b"stream\n"
        + pixels
        + b"\nendstream"
    )
    content = b"q 240 0 0 240 177 420 cm /Im1 Do Q"
    return _assemble([content], [], title, image=image)


def _layout(text: str, width: int) -> list[str]:
    """Turn paragraphs (blank-line separated) into wrapped lines, blank line between them."""
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        if lines:
            lines.append("")
        if paragraph.startswith("# "):
            lines.append("# " + " ".join(paragraph[2:].split()))
            continue
        for segment in _hard_break_segments(paragraph):
            lines.extend(_wrap(segment, width))
    return lines


def _paragraphs(text: str) -> list[str]:
    """Split on blank lines, keeping each paragraph's own line breaks."""
    paragraphs, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _hard_break_segments(paragraph: str) -> list[str]:
    """Join a paragraph's lines with spaces, except after a trailing backslash (a hard break)."""
    segments, current = [], ""
    for line in paragraph.split("\n"):
        if line.endswith("\\"):
            segments.append(_join(current, line[:-1]))
            current = ""
        else:
            current = _join(current, line)
    if current:
        segments.append(current)
    return segments


def _join(left: str, right: str) -> str:
    return f"{left} {right}" if left else right


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at `width` characters; an over-long word gets a line of its own."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = _join(current, word)
    if current:
        lines.append(current)
    return lines


def _running_line(template: str | None, y: float, page: int, pages: int) -> list[str]:
    """The drawing operation for a header or footer line, or none when it is not wanted."""
    if not template:
        return []
    text = template.format(page=page, pages=pages)
    return [_text_op("F1", HEADER_FONT_SIZE, MARGIN_X, y, text, page)]


def _body_ops(lines: list[str], font_size: float, page: int) -> list[str]:
    ops, y = [], float(BODY_TOP)
    for index, line in enumerate(lines, start=1):
        heading = line.startswith("# ")
        size = font_size + 2 if heading else font_size
        if y < BODY_BOTTOM:
            raise PdfLayoutError(
                f"page {page} does not fit: line {index} of {len(lines)} falls below the "
                "bottom margin; move text to the next page or lower font_size"
            )
        if line.strip():
            font = "F2" if heading else "F1"
            ops.append(_text_op(font, size, MARGIN_X, y, line[2:] if heading else line, page))
        # A blank line is a paragraph gap: half a line is enough to see it.
        y -= size * LEADING if line.strip() else font_size * LEADING / 2
    return ops


def _text_op(font: str, size: float, x: float, y: float, text: str, page: int) -> str:
    literal = _escape(_encode(text, page))
    return f"BT /{font} {_num(size)} Tf {_num(x)} {_num(y)} Td ({literal}) Tj ET"


def _num(value: float) -> str:
    """Format a number the same way every time (no float noise, no trailing zeros)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _encode(text: str, page: int) -> bytes:
    """Encode text as font byte codes: WinAnsi, or the spare codes for the extra letters."""
    out = bytearray()
    for char in text:
        if char in _EXTRA_CODES:
            out.append(_EXTRA_CODES[char])
            continue
        try:
            code = char.encode("cp1252")
        except UnicodeEncodeError:
            code = b""
        if len(code) != 1 or code[0] < 0x20:
            raise PdfLayoutError(
                f"page {page}: character {char!r} (U+{ord(char):04X}) cannot be drawn; "
                f"use WinAnsi (cp1252) letters or one of {SUPPORTED_EXTRA_CHARS}"
            )
        out += code
    return bytes(out)


def _escape(data: bytes) -> str:
    """Write bytes as the inside of a PDF literal string, octal-escaping anything unusual."""
    parts = []
    for byte in data:
        if byte in b"()\\":
            parts.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(f"\\{byte:03o}")
    return "".join(parts)


def _to_unicode_cmap() -> bytes:
    """A CMap from every byte code the fonts use to its Unicode character."""
    pairs: list[tuple[int, str]] = []
    for code in range(0x20, 0x100):
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        if code != 0x7F:
            pairs.append((code, char))
    pairs += [(_EXTRA_CODES[char], char) for char, _ in _EXTRA_GLYPHS]
    pairs.sort()
    entries = [f"<{code:02X}> <{ord(char):04X}>" for code, char in pairs]
    blocks = []
    for start in range(0, len(entries), 100):  # a bfchar block may hold at most 100 entries
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode("ascii")


def _stream(data: bytes) -> bytes:
    return f"<< /Length {len(data)} >>\nstream\n".encode("ascii") + data + b"\nendstream"


def _font_objects() -> list[bytes]:
    """Encoding, ToUnicode CMap and the two font dictionaries (object order is fixed)."""
    differences = " ".join(f"{_EXTRA_CODES[char]} /{glyph}" for char, glyph in _EXTRA_GLYPHS)
    encoding = (
        f"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [{differences}] >>"
    ).encode("ascii")
    return [encoding, _stream(_to_unicode_cmap())]


def _pdf_text_string(text: str) -> str:
    """A PDF text string: literal if ASCII, else UTF-16BE with a byte-order mark, in hex."""
    if text.isascii():
        return "(" + _escape(text.encode("ascii")) + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _assemble(
    streams: list[bytes], fonts: list[bytes], title: str | None, image: bytes | None = None
) -> bytes:
    """Number the objects, write them with a cross-reference table and a trailer."""
    # Fixed numbering: 1 catalog, 2 pages, 3 info, then fonts/image, then page+content pairs.
    objects: list[bytes] = [b"", b"", b""]
    resources = ""
    if fonts:
        encoding_id, cmap_id = len(objects) + 1, len(objects) + 2
        objects += fonts
        font_refs = []
        for name, base in _FONTS.items():
            objects.append(
                (
                    f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                    f"/Encoding {encoding_id} 0 R /ToUnicode {cmap_id} 0 R >>"
                ).encode("ascii")
            )
            font_refs.append(f"/{name} {len(objects)} 0 R")
        resources = f"/Font << {' '.join(font_refs)} >>"
    if image is not None:
        objects.append(image)
        resources += f" /XObject << /Im1 {len(objects)} 0 R >>"
    kids = []
    for content in streams:
        page_id, content_id = len(objects) + 1, len(objects) + 2
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                f"/Resources << {resources.strip()} >> /Contents {content_id} 0 R >>"
            ).encode("ascii")
        )
        objects.append(_stream(content))
        kids.append(f"{page_id} 0 R")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode("ascii")
    info = "/Producer (minipdf)"
    if title is not None:
        info = f"/Title {_pdf_text_string(title)} {info}"
    objects[2] = f"<< {info} >>".encode("ascii")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 3 0 R >>\n"
        f"startxref\n{xref_at}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)
