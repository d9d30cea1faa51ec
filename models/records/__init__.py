"""The records database: ORM tables, engines and migrations, and the idempotent store API used by
activities and services."""
