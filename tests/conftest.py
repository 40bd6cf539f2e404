"""Project-wide pytest setup: skip tests whose hardware is absent, steady hypothesis."""

from __future__ import annotations

import functools
import os
import shutil

import pytest
from hypothesis import settings

from learndl import backend

# A shared 2-core machine makes wall-clock deadlines flaky; CI also wants repeatable examples.
settings.register_profile("learndl", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "learndl")

CHROMIUM = "/usr/bin/chromium"


# Asked once per session (CuPy's runtime query is not free); learndl's own answer.
cuda_device_count = functools.cache(backend.cuda_device_count)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("gpu") and cuda_device_count() == 0:
            item.add_marker(pytest.mark.skip(reason="needs a CUDA device (cupy sees none)"))
        if item.get_closest_marker("browser") and not (
            os.path.exists(CHROMIUM) or shutil.which("chromium")
        ):
            item.add_marker(pytest.mark.skip(reason="needs chromium (scripts/ensure-system.sh)"))
