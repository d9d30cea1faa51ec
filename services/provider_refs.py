"""How the desk names a provider in an address: never by a personnummer.

A company is named by its org nr's digits (public, as in its workflow ids); a sole trader
(enskild firma, whose org nr is the owner's personnummer) by the same opaque key that names it in
Temporal (models.domain.provider_id, docs/IDENTIFIERS.md). So an address in a browser's history,
a proxy's log or a screenshot holds no personal data.
"""

from __future__ import annotations

from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.domain.provider_id import ProviderIds, address_ref, is_personal, is_ref
from models.ids import contract_workflow_id
from models.records.store import RecordStore
from services.errors import ActionError

_NOT_FOUND = "ingen sådan utförare i registret"


async def org_nr_of(store: RecordStore, ref: str, ids: ProviderIds) -> str:
    """The org nr behind an address's provider name; ActionError("provider") if none.
    A company's digits are read as its org nr (never a personnummer-shaped one: that would
    put the personnummer in the address). A sole trader's key is found through its contract
    and, for one without a contract under the key, by computing the key of each sole trader."""
    if is_ref(ref):
        contract = await store.get_contract(contract_workflow_id("", ref))
        if contract is not None:
            return contract.org_nr
        for row in await store.list_provider_contracts(None, None, None):
            if is_personal(row.provider.org_nr) and address_ref(row.provider.org_nr, ids) == ref:
                return row.provider.org_nr
        raise ActionError("provider", _NOT_FOUND)
    try:
        org = normalize_org_nr(ref)
    except OrgNrError:
        raise ActionError("provider", _NOT_FOUND) from None
    if is_personal(org):
        raise ActionError("provider", _NOT_FOUND)
    return org
