"""What an uploaded file really is, judged by its whole content.

One home for every upload civbio keeps (evidence, logos): `detect` reads all of the bytes, takes
puremagic's guess of the type, and then parses the file as that type to the end (pypdf for PDF,
Pillow decoding every pixel for images, the zip directory and its required parts for Office
documents). A file is accepted only when the parse succeeds, when it carries no markup a browser
would run (HTML, SVG, script) and no active content of its own (JavaScript or launch actions in a
PDF, macros in Office). The caller gets the MIME type and extension to store and serve it with;
the name and the first bytes the uploader chose decide nothing.

Legacy Office files (.doc, .xls, .ppt, the OLE format) are refused: their macros cannot be told
apart without a much larger parser, and every Office since 2007 saves the OOXML formats.
"""

import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

import puremagic
from django.http import FileResponse, Http404
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


class Family(StrEnum):
    PDF = "pdf"
    IMAGE = "image"
    OFFICE = "office"


@dataclass(frozen=True)
class Detected:
    mime_type: str
    extension: str  # with its dot, as the file is stored and downloaded: ".pdf"
    family: Family


class Refused(ValueError):
    """The content is not a file of an accepted type (the reason is for logs, not for people)."""


# Pillow's format name → what civbio serves it as. SVG is not among them: it is a document that
# can carry script, not a picture.
IMAGES = {
    "PNG": Detected("image/png", ".png", Family.IMAGE),
    "JPEG": Detected("image/jpeg", ".jpg", Family.IMAGE),
    "GIF": Detected("image/gif", ".gif", Family.IMAGE),
    "WEBP": Detected("image/webp", ".webp", Family.IMAGE),
}
PDF = Detected("application/pdf", ".pdf", Family.PDF)
# The OOXML part that makes a package a document of each kind, and what it is then.
OFFICE = {
    "word/document.xml": Detected(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        Family.OFFICE,
    ),
    "xl/workbook.xml": Detected(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
        Family.OFFICE,
    ),
    "ppt/presentation.xml": Detected(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
        Family.OFFICE,
    ),
}

# Markup a browser would render or run if it ever took the file for a page. Each needs the
# character after the tag name, so compressed pixel data does not match by chance.
MARKUP = re.compile(
    rb"<(?:script|html|svg|iframe|object|embed|body|head|meta)[\s/>]|<!doctype\s+html|<\?xml-stylesheet",
    re.IGNORECASE,
)
# An Office package unpacks to at most this much (a zip bomb of a few kB is refused).
OFFICE_MAX_UNPACKED = 200 * 1024 * 1024
OFFICE_MAX_PARTS = 5000
PDF_MAX_OBJECTS = 200_000
PDF_ACTIVE = {"/JavaScript", "/Launch", "/ImportData", "/Rendition"}


def read_all(upload, limit: int) -> bytes:
    """The whole content of an uploaded or stored file (at most `limit` + 1 bytes, so a caller
    can tell a file over the limit), leaving its position where it was."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        return upload.read(limit + 1)
    finally:
        upload.seek(position)


def detect(content: bytes, *, allowed: frozenset[Family] | set[Family]) -> Detected:
    """The type of `content`, if it is a complete, script-free file of an `allowed` family;
    otherwise `Refused`."""
    if not content:
        raise Refused("empty")
    try:
        guesses = {match.mime_type for match in puremagic.magic_string(content)}
    except (puremagic.PureError, ValueError) as exc:
        raise Refused("no known type") from exc
    if MARKUP.search(content):
        raise Refused("markup")
    if Family.PDF in allowed and "application/pdf" in guesses:
        return _pdf(content)
    if Family.IMAGE in allowed and guesses & {item.mime_type for item in IMAGES.values()}:
        return _image(content)
    if Family.OFFICE in allowed and content.startswith(b"PK\x03\x04"):
        return _office(content)
    raise Refused(f"not accepted: {sorted(guesses)}")


def _pdf(content: bytes) -> Detected:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise Refused("encrypted PDF")
        if len(reader.pages) == 0:
            raise Refused("PDF without pages")
        references = [
            (number, generation)
            for generation, numbers in reader.xref.items()
            for number in numbers
        ] + [(number, 0) for number in reader.xref_objStm]
        if len(references) > PDF_MAX_OBJECTS:
            raise Refused("PDF with too many objects")
        for number, generation in references:
            _refuse_active(reader.get_object(IndirectObject(number, generation, reader)), 0)
    except Refused:
        raise
    # A parser of hostile bytes fails in many ways (pypdf raises its own errors, but also
    # IndexError, AttributeError, zlib.error…): whatever it raises, the file is not accepted.
    except Exception as exc:
        raise Refused(f"unreadable PDF: {exc}") from exc
    return PDF


def _refuse_active(value, depth: int) -> None:
    """JavaScript or another action that runs something, anywhere in one object (the objects it
    refers to are walked on their own)."""
    if depth > 50:
        raise Refused("PDF nested too deeply")
    if isinstance(value, DictionaryObject):
        if "/JS" in value or "/JavaScript" in value or value.get("/S") in PDF_ACTIVE:
            raise Refused("PDF with JavaScript or a launch action")
        children: Iterable = value.values()
    elif isinstance(value, ArrayObject):
        children = value
    else:
        return
    for child in children:
        if not isinstance(child, IndirectObject):
            _refuse_active(child, depth + 1)


def _image(content: bytes) -> Detected:
    try:
        with warnings.catch_warnings():
            # Far more pixels than a photo has: decoding them is the attack.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                image_format = image.format
                image.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # every pixel: verify() alone passes a truncated JPEG
    except Exception as exc:  # as for PDF; Pillow's own: UnidentifiedImageError, bombs, OSError
        raise Refused(f"unreadable image: {exc}") from exc
    if image_format not in IMAGES:
        raise Refused(f"image format {image_format}")
    return IMAGES[image_format]


def _office(content: bytes) -> Detected:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            parts = package.infolist()
            names = {part.filename for part in parts}
            if len(parts) > OFFICE_MAX_PARTS:
                raise Refused("Office package with too many parts")
            if sum(part.file_size for part in parts) > OFFICE_MAX_UNPACKED:
                raise Refused("Office package unpacks too large")
            if "[Content_Types].xml" not in names:
                raise Refused("zip without [Content_Types].xml")
            content_types = package.read("[Content_Types].xml")
            main_parts = [part for part in OFFICE if part in names]
            if len(main_parts) != 1:
                raise Refused("not one Word, Excel or PowerPoint document")
            if any(name.lower().endswith("vbaproject.bin") for name in names) or (
                b"macroEnabled" in content_types
            ):
                raise Refused("Office document with macros")
            package.read(main_parts[0])  # checks its CRC: a broken package fails here
    except Refused:
        raise
    except Exception as exc:  # as for PDF (zipfile raises NotImplementedError, RuntimeError…)
        raise Refused(f"unreadable Office document: {exc}") from exc
    return OFFICE[main_parts[0]]


def stored_response(
    stored, *, allowed: frozenset[Family] | set[Family], as_attachment: bool, stem: str = ""
) -> FileResponse:
    """A stored upload as a response, typed by what its content is now (its name says nothing),
    with `nosniff` so no browser guesses otherwise. A stored file that is not of an `allowed`
    type (kept from before these checks) goes out as an opaque download, or, when it is to be
    shown inline, not at all."""
    try:
        with stored.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = PurePosixPath(stored.name).name
    try:
        detected = detect(content, allowed=allowed)
    except Refused as exc:
        if not as_attachment:
            raise Http404 from exc
        content_type, filename = "application/octet-stream", name
    else:
        content_type = detected.mime_type
        filename = (stem or PurePosixPath(name).stem) + detected.extension
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
