"""alembic migrations of the store schema (run by cases.migrate, never by hand-written SQL)."""
