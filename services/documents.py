"""The document store: documents providers upload in the portal, kept by their content.

Each document is stored once under its SHA-256 (`<dir>/<first two hex digits>/<sha256>`), the
same digest the submission records, so the record and the file cannot disagree and the same
file uploaded twice is kept once. The directory is LOV_DOCUMENT_DIR, by default `documents/`
under the var dir.

An upload is accepted only as PDF, an Office document (Word, Excel, PowerPoint; OOXML, the
older binary formats, OpenDocument) or an image (PNG, JPEG), told by its content, never by its
name, and only up to LOV_PORTAL_UPLOAD_MB. A refusal is `ActionError("documents.<key>", …)`,
before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from models.messages.obligation import DocumentRef
from models.records.store import RecordStore
from models.runtime.settings import Settings
from services.duties import DutyPage, duty_page
from services.errors import ActionError

_OOXML = ("word/", "xl/", "ppt/")
_SAFE_NAME = re.compile(r"[^\w .,()+-]", re.UNICODE)
MAX_NAME = 120
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _zip_kind(data: bytes) -> str | None:
    """An Office Open XML or OpenDocument file (both are zip archives), by what is inside."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names and any(n.startswith(_OOXML) for n in names):
                return "office"
            if "mimetype" in names:
                kind = archive.read("mimetype")[:80]
                if kind.startswith(b"application/vnd.oasis.opendocument."):
                    return "opendocument"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def kind_of(data: bytes) -> str | None:
    """What the content is ("pdf", "png", "jpeg", "office", "opendocument", "ole"), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # .doc, .xls, .ppt
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def clean_name(filename: str) -> str:
    """The uploaded file's name as shown: its last part, no control or path characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = _SAFE_NAME.sub("_", name).strip(" .") or "dokument"
    return name[:MAX_NAME]


@dataclass(frozen=True, slots=True)
class Stored:
    ref: DocumentRef
    path: Path
    new: bool  # written now (removed again if the submission is refused)


class DocumentStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentStore:
        root = settings.document_dir or settings.var_dir / "documents"
        return cls(root, settings.portal_upload_mb * 1024 * 1024)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def check(self, key: str, data: bytes) -> None:
        """ActionError naming `documents.<key>` if the content may not be stored."""
        field = f"documents.{key}"
        if not data:
            raise ActionError(field, "filen är tom")
        if len(data) > self.max_bytes:
            mb = self.max_bytes // (1024 * 1024)
            raise ActionError(field, f"filen är för stor: högst {mb} MB")
        if kind_of(data) is None:
            raise ActionError(
                field,
                "filen är ingen PDF, inget Office-dokument och ingen bild (PNG, JPEG); "
                "det avgörs av innehållet, inte av namnet",
            )

    def put(self, key: str, filename: str, data: bytes) -> Stored:
        """Check and store `data`; the reference the submission records."""
        self.check(key, data)
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        new = not path.exists()
        if new:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = path.with_name(f".{digest}.{os.getpid()}.part")
            with open(partial, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, 0o600)
            os.replace(partial, path)  # atomic: a reader never sees half a document
        ref = DocumentRef(key=key, filename=clean_name(filename), sha256=digest, size=len(data))
        return Stored(ref, path, new)

    def discard(self, stored: list[Stored]) -> None:
        """Remove what this submission wrote, when it was refused: nothing is left behind."""
        for item in stored:
            if item.new:
                item.path.unlink(missing_ok=True)


# What a stored document is sent as, by its content (never by the name it was uploaded with).
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "ole": "application/octet-stream",
    "office": "application/octet-stream",
    "opendocument": "application/octet-stream",
}


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    filename: str
    media_type: str


async def submitted_document(
    store: RecordStore,
    settings: Settings,
    org_nr: str,
    obligation: str,
    period: str,
    sha256: str,
) -> Download:
    """A document submitted for this duty of this provider, from the document store;
    ActionError("document") if the duty has no such document or the store does not hold it
    (a document given with `lov contract submit --document` stays where it was)."""
    facts = await duty_page(store, org_nr, obligation, period, settings.plans_dir)
    found = [d for s in facts.submissions for d in s.documents if d.sha256 == sha256]
    path = DocumentStore.from_settings(settings).path_of(sha256)
    if not found or not _HEX64.fullmatch(sha256) or not path.is_file():
        raise ActionError("document", "dokumentet finns inte i dokumentlagret")
    with open(path, "rb") as head:
        kind = kind_of(head.read(1024 * 1024)) or "office"
    return Download(path, found[-1].filename, MEDIA_TYPES.get(kind, "application/octet-stream"))


def held(settings: Settings, facts: DutyPage) -> set[str]:
    """The digests of the duty's documents the document store holds (those uploaded in the
    portal; one given to `lov contract submit --document` stays where it was)."""
    store = DocumentStore.from_settings(settings)
    digests = {d.sha256 for s in facts.submissions for d in s.documents}
    return {h for h in digests if _HEX64.fullmatch(h) and store.path_of(h).is_file()}


def _completion_documents(data: dict[str, object]) -> list[DocumentRef]:
    """The documents of an application's komplettering rounds, as its record keeps them."""
    found: list[DocumentRef] = []
    rounds = data.get("completions")
    for r in rounds if isinstance(rounds, list) else []:
        docs = r.get("documents") if isinstance(r, dict) else None
        for d in docs if isinstance(docs, list) else []:
            try:
                found.append(DocumentRef.model_validate(d))
            except ValueError:
                continue
    return found


async def application_document(
    store: RecordStore, settings: Settings, application_id: str, sha256: str
) -> Download:
    """A document an applicant sent with a komplettering (in the portal), from the document
    store; ActionError("document") if the application has no such document or the store does
    not hold it (one given to `lov application complete --document` stays where it was)."""
    record = await store.get_application(application_id)
    docs = _completion_documents(record.data) if record is not None else []
    found = [d for d in docs if d.sha256 == sha256]
    path = DocumentStore.from_settings(settings).path_of(sha256)
    if not found or not _HEX64.fullmatch(sha256) or not path.is_file():
        raise ActionError("document", "dokumentet finns inte i dokumentlagret")
    with open(path, "rb") as head:
        kind = kind_of(head.read(1024 * 1024)) or "office"
    return Download(path, found[-1].filename, MEDIA_TYPES.get(kind, "application/octet-stream"))


def held_digests(settings: Settings, documents: list[DocumentRef]) -> set[str]:
    """The digests among `documents` that the document store holds (downloadable)."""
    store = DocumentStore.from_settings(settings)
    return {
        d.sha256
        for d in documents
        if _HEX64.fullmatch(d.sha256) and store.path_of(d.sha256).is_file()
    }
