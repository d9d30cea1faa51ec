#!/bin/sh
# Namespace and search attributes for lovflow, with the `temporal` CLI of the admin-tools image.
# Runs after every start of the server and is safe to repeat: what exists is kept (the retention
# is set to the configured value), what is missing is created.
#
# The search attributes are exactly those of models/search_attributes.py (tests/system/test_deployment.py
# checks the list below against it). The workers only upsert them; registering needs operator
# rights, which the workers do not get.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${LOV_TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-90d}"

until temporal operator cluster health --address "$ADDRESS"; do
    echo "Väntar på Temporal (waiting for Temporal) på $ADDRESS"
    sleep 2
done

if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
    temporal operator namespace update --address "$ADDRESS" --namespace "$NAMESPACE" \
        --retention "$RETENTION"
else
    temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" \
        --retention "$RETENTION"
fi

create_attribute() {
    name="$1"
    type="$2"
    if temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" \
        | grep -qw "$name"; then
        echo "$name finns redan (exists)"
    else
        temporal operator search-attribute create --address "$ADDRESS" \
            --namespace "$NAMESPACE" --name "$name" --type "$type"
    fi
}

create_attribute LovOrgNr Keyword
create_attribute LovKind Keyword
create_attribute LovObligation Keyword
create_attribute LovPeriod Keyword
create_attribute LovStatus Keyword
create_attribute LovOverdue Bool
create_attribute LovEscalationLevel Int
create_attribute LovDue Datetime

echo "Namnrymd $NAMESPACE och sökattribut klara (namespace and search attributes done)"
