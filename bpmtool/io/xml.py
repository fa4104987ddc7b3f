"""The one hardened XML parser of bpmtool.

Every XML document a user hands us goes through :func:`parse_xml`: entities are
never substituted, no DTD is loaded, nothing is fetched from the network, and
libxml2's limits on huge documents stay on.  A document whose DOCTYPE declares
entities or names an external DTD is refused outright (billion laughs, XXE),
before anything is expanded.
"""

from __future__ import annotations

import re

from lxml import etree

from bpmtool.errors import InputError

__all__ = ["hardened_parser", "parse_xml"]

#: a DOCTYPE in the prolog; checked on the first bytes before the parser runs
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_OR_EXTERNAL = re.compile(rb"<!ENTITY|\bSYSTEM\b|\bPUBLIC\b")


def hardened_parser() -> etree.XMLParser:
    """A fresh lxml parser that resolves no entities, loads no DTD and uses no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _ascii_view(data: bytes) -> bytes:
    """The prolog as ASCII-compatible bytes, also for UTF-16/32 documents."""
    head = data[:65536]
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head.decode(codec, errors="ignore").encode("ascii", errors="ignore")
    if head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-le" if head[0:1] == b"<" else "utf-16-be"
        return head.decode(codec, errors="ignore").encode("ascii", errors="ignore")
    return head


def _refuse_entities(data: bytes, filename: str, error_cls: type[InputError]) -> None:
    view = _ascii_view(data)
    match = _DOCTYPE.search(view)
    if match is None:
        return
    # the DOCTYPE ends at the first '>' after its internal subset, if it has one
    tail = view[match.start() :]
    bracket = tail.find(b"[")
    close = tail.find(b">")
    end = tail.find(b"]>") if 0 <= bracket < close else close
    declaration = tail[: end + 2 if end >= 0 else len(tail)]
    if _ENTITY_OR_EXTERNAL.search(declaration):
        line = view[: match.start()].count(b"\n") + 1
        raise error_cls.single(
            "the document declares entities or an external DTD in its DOCTYPE; "
            "bpmtool refuses such documents (entity expansion and external entities are unsafe)",
            file=filename,
            line=line,
            expected="an XML document without <!ENTITY> declarations or external DTDs",
        )


def parse_xml(
    data: bytes, filename: str, error_cls: type[InputError] = InputError
) -> etree._ElementTree:
    """Parse ``data`` safely; syntax errors become ``error_cls`` with file, line and column."""
    _refuse_entities(data, filename, error_cls)
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser=hardened_parser()))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        message = str(exc.msg or exc).split(" (", 1)[0] if exc.msg else str(exc)
        raise error_cls.single(
            f"malformed XML: {message}",
            file=filename,
            line=line,
            column=column,
            expected="well-formed XML",
        ) from None
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise error_cls.single(f"cannot parse XML: {exc}", file=filename) from None
    docinfo = tree.docinfo
    dtd = docinfo.internalDTD
    if docinfo.system_url or docinfo.public_id or (dtd is not None and any(dtd.iterentities())):
        raise error_cls.single(
            "the document declares entities or an external DTD; bpmtool refuses such documents",
            file=filename,
            line=1,
            expected="an XML document without a DOCTYPE",
        )
    return tree
