"""Instructor tools: ``assign`` writes student versions, ``grade`` grades them with nbval.

Both need the ``jupyter`` extra (nbformat) and ``dev`` (pytest, nbval) installed.
"""

from learndl.grading.notebooks import assign, exercise_cells, exercise_id, student_version
from learndl.grading.runner import Grade, Grader, grade, merge, summary

__all__ = [
    "Grade",
    "Grader",
    "assign",
    "exercise_cells",
    "exercise_id",
    "grade",
    "merge",
    "student_version",
    "summary",
]
