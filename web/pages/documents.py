"""A submitted document, downloaded from the desk's duty page (services/documents.py): any
logged-in role may read it, as it may read the duty. Sent as an attachment with its type told by
its content, so a browser never renders an uploaded file as a page of the desk."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from services.documents import application_document as stored_application_document
from services.documents import submitted_document
from services.errors import ActionError
from services.provider_refs import org_nr_of
from web.auth import LoggedIn
from web.desk import desk

router = APIRouter()
DOCUMENT = "/providers/{ref}/duties/{obligation}/{period}/documents/{sha256}"


@router.get(DOCUMENT)
async def document(
    request: Request, ref: str, obligation: str, period: str, sha256: str, who: LoggedIn
) -> Response:
    the_desk = desk(request)
    try:
        org = await org_nr_of(the_desk.store, ref, the_desk.ids)
        found = await submitted_document(
            the_desk.store, the_desk.settings, org, obligation, period, sha256
        )
    except ActionError as err:
        raise HTTPException(404, err.message[:1].upper() + err.message[1:] + ".") from None
    return FileResponse(
        found.path,
        media_type=found.media_type,
        filename=found.filename,
        content_disposition_type="attachment",
    )


APPLICATION_DOCUMENT = "/applications/{ref}/documents/{sha256}"


@router.get(APPLICATION_DOCUMENT)
async def application_document(request: Request, ref: str, sha256: str, who: LoggedIn) -> Response:
    """A document an applicant sent with its komplettering in the portal: any logged-in role
    may read it, as it may read the application; an attachment, its type told by its content."""
    the_desk = desk(request)
    try:
        found = await stored_application_document(the_desk.store, the_desk.settings, ref, sha256)
    except ActionError as err:
        raise HTTPException(404, err.message[:1].upper() + err.message[1:] + ".") from None
    return FileResponse(
        found.path,
        media_type=found.media_type,
        filename=found.filename,
        content_disposition_type="attachment",
    )
