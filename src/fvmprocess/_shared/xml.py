"""Safe XML parsing shared by the BPMN, PNML and XES readers.

XML from outside is hostile until parsed: no DTDs, no entity declarations (so no external
entities, no network, no "billion laughs"), no huge text nodes, and a byte limit. We refuse a
document type declaration outright rather than trusting entity expansion limits: BPMN, PNML and
XES never need one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from fvmprocess.errors import FvmProcessError, UnsafeXmlError

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["DEFAULT_MAX_BYTES", "load_source", "parse_xml"]

#: Largest XML document read by default (bytes). Override with ``max_bytes``.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def load_source(
    source: str | bytes | Path, *, error: type[FvmProcessError], max_bytes: int
) -> tuple[bytes, str]:
    """Return ``(data, name)`` for a path, XML bytes or an XML string."""
    if isinstance(source, bytes):
        data, name = source, "<bytes>"
    elif isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("<"):
        data, name = source.encode("utf-8"), "<string>"
        # An XML declaration naming another encoding would now lie; drop it.
        data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    else:
        path = Path(source)
        name = str(path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise error("file not found", source=name) from None
        except OSError as e:
            raise error(f"cannot read the file ({e.strerror})", source=name) from e
        if path.is_dir():
            raise error("is a directory, expected a file", source=name)
        if size > max_bytes:
            raise error(
                f"file is {size} bytes, larger than the limit of {max_bytes} bytes "
                "(raise max_bytes to read it)",
                source=name,
            )
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise error(f"document is larger than the limit of {max_bytes} bytes", source=name)
    return data, name


def _as_utf8(data: bytes) -> bytes:
    """The document as UTF-8 for the DOCTYPE probe (UTF-16/32 documents hide it from a byte
    search: ``<!DOCTYPE`` is interleaved with NUL bytes there)."""
    head = data[:4]
    for bom, enc in (
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00!", "utf-16-be"),
        (b"<\x00!\x00", "utf-16-le"),
    ):
        if head.startswith(bom):
            return data.decode(enc, errors="replace").encode("utf-8")
    return data


def parse_xml(data: bytes, name: str, *, error: type[FvmProcessError]) -> etree._ElementTree:
    """Parse XML bytes safely; raise ``error`` (or :class:`UnsafeXmlError`) naming the place."""
    from lxml import etree

    if not data.strip():
        raise error("the file is empty, expected an XML document", source=name)
    probe = _as_utf8(data)
    m = _DOCTYPE.search(probe[:65536]) or (_DOCTYPE.search(probe) if b"<!" in probe else None)
    if m:
        line = probe.count(b"\n", 0, m.start()) + 1
        raise UnsafeXmlError(
            "refused a DOCTYPE/ENTITY declaration (DTDs and entities are not allowed: they can "
            "read local files, reach the network or expand without bound)",
            source=name,
            place=f"line {line}",
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error("binary data, expected an XML document", source=name, place="line 1")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = getattr(e, "lineno", None) or (e.position[0] if e.position else None)
        msg = e.msg if hasattr(e, "msg") else str(e)
        raise error(
            f"not well-formed XML ({msg})", source=name, place=f"line {line}" if line else None
        ) from e
    except ValueError as e:  # e.g. unsupported encoding declarations
        raise error(f"cannot decode the XML ({e})", source=name) from e
    tree = root.getroottree()
    if tree.docinfo.doctype:  # type: ignore[union-attr]
        raise UnsafeXmlError("refused a DOCTYPE declaration", source=name, place="line 1")
    return tree
