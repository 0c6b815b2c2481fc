"""Alembic migrations of the service database (applied by ``engine.migrate`` on start)."""
