"""The portal's document store (services/documents.py): the type is told by the content, not the
name; too large, empty or another type is refused before anything is written; a document is kept
once under its SHA-256, and a refused submission's new files are removed again."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from services.documents import DocumentStore, clean_name, kind_of
from services.errors import ActionError

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpeg"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, "ole"),
        (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "office"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "opendocument"),
        (_zip({"evil.exe": b"MZ"}), None),  # a zip that is no document
        (b"MZ\x90\0" + b"\0" * 20, None),  # a Windows program
        (b"<html><script>alert(1)</script>", None),
        (b"PK\x03\x04 not really a zip", None),
    ],
)
def test_the_kind_is_told_by_the_content(data: bytes, kind: str | None) -> None:
    assert kind_of(data) == kind


def test_a_document_is_stored_once_under_its_digest(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs", 1024)
    first = store.put("deviation-analysis", "C:\\Users\\anna\\avvikelser 2027.pdf", PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    assert first.ref.sha256 == digest and first.ref.size == len(PDF)
    assert first.ref.filename == "avvikelser 2027.pdf" and first.new
    assert first.path == tmp_path / "docs" / digest[:2] / digest
    assert first.path.read_bytes() == PDF and first.path.stat().st_mode & 0o777 == 0o600
    again = store.put("ivo-permit", "samma.pdf", PDF)
    assert again.path == first.path and not again.new
    # A refused submission removes what it wrote, not what was there before.
    store.discard([again])
    assert first.path.exists()
    store.discard([first])
    assert not first.path.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "tom"),
        (PDF + b"x" * 2000, "för stor: högst"),
        (b"just text, named .pdf", "ingen PDF"),
    ],
)
def test_a_refused_upload_names_the_document_and_writes_nothing(
    tmp_path: Path, data: bytes, words: str
) -> None:
    store = DocumentStore(tmp_path / "docs", 1024)
    with pytest.raises(ActionError) as refused:
        store.put("deviation-analysis", "rapport.pdf", data)
    assert refused.value.field == "documents.deviation-analysis"
    assert words in refused.value.message
    assert not (tmp_path / "docs").exists()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("rapport\r\nBcc: x.pdf", "rapport__Bcc_ x.pdf"),
        ("", "dokument"),
        ("å" * 300 + ".pdf", "å" * 120),
    ],
)
def test_names_are_shown_without_paths_or_control_characters(name: str, shown: str) -> None:
    assert clean_name(name) == shown
