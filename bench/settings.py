"""The product's settings, unchanged but for static files: the manifest storage needs
`collectstatic`, which the bench skips (as the test suite does); the static URL lookup is
a dictionary read either way, so page timings are the same."""

from anchang.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
