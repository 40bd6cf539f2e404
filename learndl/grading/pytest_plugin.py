"""A pytest plugin that appends each notebook cell's result to a JSON-lines file as it runs,
so results survive a run that is killed at its time limit. ``learndl grade`` loads it with
``-p learndl.grading.pytest_plugin`` and names the file in ``LEARNDL_GRADE_RESULTS``."""

from __future__ import annotations

import json
import os


def pytest_runtest_logreport(report) -> None:  # noqa: ANN001 - pytest's hook signature
    path = os.environ.get("LEARNDL_GRADE_RESULTS")
    if not path or (report.when != "call" and report.outcome == "passed"):
        return
    text = str(report.longrepr)[-2000:] if report.longrepr else ""
    record = {"cell": report.nodeid.rsplit("::", 1)[-1], "when": report.when}
    record.update(outcome=report.outcome, message=text)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
