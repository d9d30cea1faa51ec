"""A provider's identifier checked against the plan it will work under.

The CLI reads an org nr before it knows the plan, so it accepts either kind by its shape (a
Swedish organisationsnummer or a Danish CVR-nummer: models.domain.orgnr). Once the plan is
known, starting a contract or an application refuses the other country's kind here.
"""

from __future__ import annotations

from models.domain.orgnr import OrgNrError, normalize_for_country
from models.plans.schema import Plan
from services.errors import ActionError


def org_nr_for_plan(org_nr: str, plan: Plan) -> str:
    """`org_nr` in its canonical form if it is the identifier a provider under `plan` has (an
    organisationsnummer in Sweden, a CVR-nummer in Denmark); ActionError("org_nr") otherwise."""
    try:
        return normalize_for_country(org_nr, plan.country)
    except OrgNrError as err:
        raise ActionError("org_nr", str(err)) from None
