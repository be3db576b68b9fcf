"""Demo data: ``build_demo(engine, size)`` fills an empty database with a realistic province;
``build_demo_file(path, size)`` builds one into a temporary file and renames it over ``path`` when
complete (with ``replace``, an existing database is first copied aside with SQLite's backup API).

The demo database has a manager ``demo`` with the password ``demo`` (DEMO_USER, DEMO_PASSWORD) and the
setting ``demo_database`` on, so the login dialog can name them.
"""

from ostandari_desk.services.demo.build import (
    DEMO_FULL_NAME,
    DEMO_PASSWORD,
    DEMO_USER,
    SIZES,
    DemoSummary,
    build_demo,
    build_demo_file,
)

__all__ = [
    "DEMO_FULL_NAME",
    "DEMO_PASSWORD",
    "DEMO_USER",
    "SIZES",
    "DemoSummary",
    "build_demo",
    "build_demo_file",
]
