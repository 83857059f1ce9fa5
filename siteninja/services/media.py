"""What an upload really is: type by content (magic bytes + a real decode), cleaned images, thumbnails."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from siteninja.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

MAX_IMAGE_PIXELS = 40_000_000
# Pillow refuses (DecompressionBombError) past twice its limit and only warns below; header
# dimensions are checked against MAX_IMAGE_PIXELS before any decode, so the warning never matters.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
THUMBNAIL_BOX = (320, 1280)
THUMBNAIL_MIME = "image/webp"
THUMBNAIL_EXTENSION = ".webp"
JPEG_QUALITY = 90
# Image info that is rendering, not metadata: everything else (EXIF, GPS, XMP, comments, text) goes.
KEPT_INFO = ("transparency", "duration", "loop", "background", "icc_profile")
# Long tags with a delimiter only: random compressed bytes must not match by chance.
MARKUP = re.compile(rb"<(?:script|html|body|head|iframe|object|embed|!doctype|\?php)[\s>/]", re.IGNORECASE)
SNIFF_WINDOW = 1024
SCAN_CHUNK = 256 * 1024
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)


@dataclass(frozen=True)
class Kind:
    """A type we accept: its MIME type, file extensions (the first is ours) and family."""

    mime_type: str
    extensions: tuple[str, ...]
    category: str
    pillow_format: str | None = None

    @property
    def extension(self) -> str:
        return self.extensions[0]


JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "image", "JPEG")
PNG = Kind("image/png", (".png",), "image", "PNG")
GIF = Kind("image/gif", (".gif",), "image", "GIF")
WEBP = Kind("image/webp", (".webp",), "image", "WEBP")
PDF = Kind("application/pdf", (".pdf",), "document")
KINDS = (JPEG, PNG, GIF, WEBP, PDF)
SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"%PDF-", PDF),
)
ACCEPTED = "JPEG, PNG, GIF, WebP or PDF"


@dataclass
class CleanFile:
    """An accepted upload: what to store (re-encoded image or the checked PDF) and what it is."""

    kind: Kind
    data: IO[bytes]
    size: int
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class SizeLimits:
    image: int
    document: int


def kind_for_mime(mime_type: str) -> Kind | None:
    """The accepted kind with this MIME type, if any."""
    return next((kind for kind in KINDS if kind.mime_type == mime_type), None)


def detect(head: bytes) -> Kind | None:
    """The kind named by a file's first bytes (its magic number), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def inspect_upload(stream: IO[bytes], *, limits: SizeLimits) -> CleanFile:
    """Accept an upload by its content, or raise 415 (type), 413 (size, pixels) or 422 (empty)."""
    size = stream_length(stream)
    if size == 0:
        raise ValidationFailed("The file is empty", field="file")
    kind = detect(stream.read(16))
    stream.seek(0)
    if kind is None:
        raise UnsupportedMediaType(f"Only {ACCEPTED} files are accepted (decided by their content)")
    limit = limits.image if kind.category == "image" else limits.document
    if size > limit:
        raise PayloadTooLarge(f"{kind.mime_type} files may be at most {limit // (1024 * 1024)} MB")
    _reject_markup(stream, whole=kind.category == "image")
    if kind.category == "image":
        return _clean_image(stream, kind)
    _check_pdf(stream)
    return CleanFile(kind=kind, data=stream, size=size)


def stream_length(stream: IO[bytes]) -> int:
    """The length of a seekable stream; it is rewound to the start."""
    stream.seek(0, io.SEEK_END)
    length = stream.tell()
    stream.seek(0)
    return length


def _reject_markup(stream: IO[bytes], *, whole: bool) -> None:
    """415 for a polyglot: HTML, SVG or script markup where a browser could find it."""
    overlap = b""
    while chunk := stream.read(SCAN_CHUNK if whole else SNIFF_WINDOW):
        if MARKUP.search(overlap + chunk):
            stream.seek(0)
            raise UnsupportedMediaType("The file contains HTML or script markup")
        if not whole:
            break
        overlap = chunk[-16:]
    stream.seek(0)


def ensure_pixels(size: tuple[int, int], *, already: int = 0) -> int:
    """413 when an image (plus the frames counted so far) passes 40 megapixels; returns the new total."""
    total = already + max(1, size[0]) * max(1, size[1])
    if total > MAX_IMAGE_PIXELS:
        raise PayloadTooLarge(f"Images may have at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels")
    return total


def _clean_image(stream: IO[bytes], kind: Kind) -> CleanFile:
    try:
        with Image.open(stream, formats=[kind.pillow_format]) as image:
            ensure_pixels(image.size)  # the header's dimensions, before a single pixel is decoded
            # A JPEG's extra MPO pictures (depth maps, previews) are not frames to keep.
            frames = 1 if kind is JPEG else getattr(image, "n_frames", 1)
            ensure_pixels((image.width * frames, image.height))
            data, width, height = _reencode_animation(image, kind) if frames > 1 else _reencode(image, kind)
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge("The image is a decompression bomb") from exc
    except DECODE_ERRORS as exc:
        raise UnsupportedMediaType(f"The file is not a valid {kind.mime_type} image") from exc
    return CleanFile(kind=kind, data=data, size=stream_length(data), width=width, height=height)


def _kept_info(info: dict[str, Any]) -> dict[str, Any]:
    return {key: info[key] for key in KEPT_INFO if key in info}


def _reencode(image: Image.Image, kind: Kind) -> tuple[IO[bytes], int, int]:
    """The decoded pixels, turned upright (EXIF orientation), saved again with no metadata."""
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    image.info = _kept_info(image.info)
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]
    if kind in (JPEG, WEBP):
        options["quality"] = JPEG_QUALITY
    image.save(out, kind.pillow_format, **options)
    out.seek(0)
    return out, image.width, image.height


def _reencode_animation(image: Image.Image, kind: Kind) -> tuple[IO[bytes], int, int]:
    """Every frame decoded within the pixel budget (a frame's extent may grow the canvas), saved again."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    total = 0
    for index in range(image.n_frames):
        image.seek(index)
        total = ensure_pixels(image.size, already=total)
        frame = image.copy()
        frame.info = _kept_info(image.info)
        frames.append(frame)
        durations.append(int(image.info.get("duration") or 100))
    out = io.BytesIO()
    frames[0].save(
        out,
        kind.pillow_format,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=int(image.info.get("loop", 0)),
    )
    out.seek(0)
    return out, max(f.width for f in frames), max(f.height for f in frames)


def _check_pdf(stream: IO[bytes]) -> None:
    """415 unless pypdf parses the document and finds at least one page."""
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedMediaType("Password-protected PDFs are not accepted")
        if len(reader.pages) == 0:
            raise UnsupportedMediaType("The PDF has no pages")
    except (PyPdfError, *DECODE_ERRORS, RecursionError) as exc:
        raise UnsupportedMediaType("The file is not a valid PDF document") from exc
    finally:
        stream.seek(0)


def render_thumbnail(stream: IO[bytes]) -> bytes:
    """A WebP of the first frame, at most 320 px wide (never enlarged), from a stored image."""
    with Image.open(stream, formats=[kind.pillow_format for kind in KINDS if kind.pillow_format]) as image:
        ensure_pixels(image.size)
        image.seek(0)
        image.draft("RGB", THUMBNAIL_BOX)  # JPEG decodes at a reduced scale: less memory, less time
        image.load()
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        frame = image.convert("RGBA" if has_alpha else "RGB")
    frame.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    frame.save(out, "WEBP", quality=80)
    return out.getvalue()
