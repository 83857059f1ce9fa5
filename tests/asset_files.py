"""Real files for the asset tests, made with Pillow and pypdf, and a hostile set built byte by byte."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter

ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b"<rdf:RDF><rdf:Description>Secret location</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def gradient(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture with real detail (so a re-encode is visible), not a flat colour."""
    width, height = size
    image = Image.linear_gradient("L").resize(size)
    if mode == "L":
        return image
    red = image
    green = image.rotate(90).resize(size)
    blue = Image.new("L", size, 128)
    rgb = Image.merge("RGB", (red, green, blue))
    if mode == "RGBA":
        rgb.putalpha(Image.new("L", (width, height), 200))
    return rgb


def gps_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "SpyCam"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return exif


def jpeg_with_gps(size: tuple[int, int] = (400, 200), orientation: int = 6) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" and carries GPS, a camera make, XMP and a comment."""
    return _save(gradient(size), "JPEG", exif=gps_exif(orientation), xmp=XMP, comment=b"shot at home")


def png(size: tuple[int, int] = (120, 80), mode: str = "RGBA") -> bytes:
    return _save(gradient(size, mode), "PNG", exif=gps_exif(1))


def webp(size: tuple[int, int] = (160, 90)) -> bytes:
    return _save(gradient(size), "WEBP", exif=gps_exif(1), xmp=XMP, quality=80)


def gif(size: tuple[int, int] = (64, 48), frames: int = 3) -> bytes:
    """An animated GIF with a comment and a different colour per frame."""
    images = [Image.new("RGB", size, (40 * n % 256, 90, 200 - 30 * n)) for n in range(frames)]
    return _save(
        images[0], "GIF", save_all=True, append_images=images[1:], duration=120, loop=0, comment=b"hidden"
    )


def pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Brochure"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def big_pdf(size: int) -> bytes:
    """A PDF header followed by ``size`` bytes of comment lines: over any size limit."""
    line = b"% padding padding padding padding padding padding padding padding\n"
    return b"%PDF-1.7\n" + line * (size // len(line) + 1)


def noisy_png(min_bytes: int) -> bytes:
    """A PNG of random pixels (incompressible), at least ``min_bytes`` long."""
    side = int((min_bytes / 3) ** 0.5) + 16
    return _save(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "PNG", compress_level=1)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid PNG header declaring ``width`` x ``height`` pixels, in well under 1 KB."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\0" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def jpeg_64mp() -> bytes:
    """A real 8000 x 8000 (64 MP) greyscale JPEG; small on disk, 64 MB once decoded."""
    return _save(Image.new("L", (8000, 8000), 128), "JPEG", quality=50)


def gif_with_huge_frame(extent: int = 50_000) -> bytes:
    """A 16 x 16 animated GIF whose second frame declares an ``extent`` x ``extent`` image."""
    data = bytearray(gif(size=(16, 16), frames=2))
    control = data.find(b"\x21\xf9\x04", data.find(b"\x21\xf9\x04") + 1)
    descriptor = control + 8
    assert data[descriptor] == 0x2C, "image descriptor expected after the graphic control extension"
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", extent, extent)
    return bytes(data)


def gif_with_many_frames(size: tuple[int, int] = (500, 500), frames: int = 170) -> bytes:
    """Each frame is legal, but together they pass 40 megapixels of decoded animation."""
    return gif(size=size, frames=frames)


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
    b'<circle r="10"/></svg>'
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>fetch('/api/auth/me')</script></body></html>"
PHP_SCRIPT = b"<?php system($_GET['cmd']); ?>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" + os.urandom(512)


def jpeg_html_polyglot() -> bytes:
    """A JPEG that decodes, with an HTML page in a comment segment right after its start marker."""
    image = jpeg_with_gps(size=(32, 32), orientation=1)
    payload = b"<html><body><script>alert(1)</script></body></html>"
    comment = b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload
    return image[:2] + comment + image[2:]


def exif_tags(data: bytes) -> dict:
    """Every EXIF tag (GPS included) Pillow reads back from an image."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        tags = dict(exif)
        tags.update({f"gps:{k}": v for k, v in exif.get_ifd(GPS_IFD).items()})
        return tags
