"""The application layer: what an administrator, a provider or a manager can ask of lovflow.

One module per concept (contracts, obligations, applications, meetings, recoveries,
placements, providers, due dates, audit, reports, plans), each offering typed commands
(workflow starts and Updates, validated here, refused with `ActionError(field, message)`) and
queries (status, lists, search). It knows nothing of Typer or HTTP: the `lov` CLI, the web
desk and the provider portal call these same functions.
"""
