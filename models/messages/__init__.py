"""Messages between interfaces, workflows and activities: one module per concept (pydantic, via the
pydantic data converter). Field names and enum values are stored in histories: never rename them."""
