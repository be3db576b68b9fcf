"""The report tests build their data with the service tests' fixtures."""

from services.conftest import desk, make_ngo  # noqa: F401 - fixtures are found by name
