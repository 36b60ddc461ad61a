import pytest

from anchang.care import backends
from tests.care.helpers import fake_providers


@pytest.fixture
def fakes():
    """The providers' fakes on free ports of this machine, for one test."""
    with fake_providers.Fakes() as running:
        yield running
    backends.reset()


@pytest.fixture(autouse=True)
def _fresh_backends():
    backends.reset()
    yield
    backends.reset()
