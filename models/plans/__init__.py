"""Follow-up plans and scenarios: the schema of `plans/<id>.toml`, its loader, and `lov simulate`
scenario files."""
