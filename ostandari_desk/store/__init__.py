"""Persistence: SQLModel tables, engine, migrations, unit of work and read queries."""
