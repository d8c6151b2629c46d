"""PDF bytes → a WebP of the top of page 1, sized for a card.

We use pypdfium2 (PDFium, the renderer in Chrome: fast, handles arXiv's PDFs, wheels for
every platform, no Ghostscript or poppler to install) and Pillow's WebP encoder.
"""

from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium
from PIL import Image

THUMB_WIDTH_PX = 400  # cards are at most ~400 CSS px wide on a 1366 px screen
THUMB_ASPECT = 3 / 4  # height / width kept: the title, authors and usually the teaser figure
WEBP_QUALITY = 70  # ~15–30 KB per thumbnail; text stays legible
MAX_PAGE_POINTS = 5000  # a page larger than this (in PDF points) is not a paper's first page

# PDFium is not thread-safe; a web process with the in-process worker may render while
# another job runs, so renders take turns.
_PDFIUM = threading.Lock()


class RenderError(Exception):
    """The bytes are not a PDF we can draw (damaged, encrypted, empty, absurd page size)."""


def render_first_page(pdf: bytes, width: int = THUMB_WIDTH_PX, quality: int = WEBP_QUALITY) -> bytes:
    """WebP bytes of the top ``width × width·¾`` pixels of page 1 of ``pdf``."""
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise RenderError(f"not a readable PDF: {exc}") from exc
        try:
            image = _draw_top(doc, width)
        except pdfium.PdfiumError as exc:  # a page tree that names no real page, a page PDFium cannot draw
            raise RenderError(f"page 1 cannot be drawn: {exc}") from exc
        finally:
            doc.close()
    return _encode(image, width, quality)


def _draw_top(doc: pdfium.PdfDocument, width: int) -> Image.Image:
    if len(doc) == 0:
        raise RenderError("the PDF has no pages")
    page = doc[0]
    try:
        w_pt, h_pt = page.get_size()
        if not (0 < w_pt <= MAX_PAGE_POINTS and 0 < h_pt <= MAX_PAGE_POINTS):
            raise RenderError(f"page 1 is {w_pt:.0f}×{h_pt:.0f} pt")
        # Draw only the top of the page the card shows: a tall, narrow page drawn whole at the card's
        # scale is gigabytes of bitmap (4 × 5000 pt: 800 × 1,000,000 px).
        shown_pt = min(h_pt, w_pt * THUMB_ASPECT)
        # Render at twice the size and downsample: sharper small text than rendering at 1×.
        bitmap = page.render(scale=2 * width / w_pt, crop=(0, h_pt - shown_pt, 0, 0))
        return bitmap.to_pil()
    finally:
        page.close()


def _encode(image: Image.Image, width: int, quality: int) -> bytes:
    image = image.convert("RGB")
    height = max(1, round(image.height * width / image.width))  # a page wider than tall keeps a row
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    image = image.crop((0, 0, width, min(height, round(width * THUMB_ASPECT))))
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()
