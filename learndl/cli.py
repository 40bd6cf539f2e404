"""The ``learndl`` command: ``assign`` (student versions) and ``grade`` (nbval grading).

learndl assign lessons/ OUT/
learndl grade REFERENCE.ipynb SUBMISSIONS... --out grades.csv
learndl exercises            # every exercise ID and what its cell must define
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="learndl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assign", help="write student versions: solutions stubbed, outputs cleared")
    a.add_argument("source", help="a lessons folder or one notebook (instructor versions)")
    a.add_argument("out", help="where the student versions go")
    g = sub.add_parser("grade", help="grade submissions against an executed reference notebook")
    g.add_argument("reference", help="the instructor's executed notebook")
    g.add_argument("submissions", nargs="+", help="student notebooks, or folders of them")
    g.add_argument("--out", default="grades.csv", help="the CSV to write (default grades.csv)")
    g.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell (60)")
    g.add_argument("--timeout", type=float, default=600, help="seconds per notebook (600)")
    g.add_argument(
        "--isolation",
        choices=("auto", "bwrap", "plain"),
        default="auto",
        help="bwrap sandbox, plain subprocess, or auto: bwrap when it works (default)",
    )
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once (1)")
    g.add_argument("--checkers", help="a folder of private checkers (sets LEARNDL_CHECKERS)")
    sub.add_parser("exercises", help="list exercise IDs and their contracts")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``learndl`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "assign":
        from learndl.grading import assign

        for path in assign(args.source, args.out):
            print(f"wrote {path}")
        return 0
    if args.command == "grade":
        import os

        from learndl.grading import grade

        if args.checkers:
            os.environ["LEARNDL_CHECKERS"] = os.path.abspath(args.checkers)
        grade(
            args.reference,
            args.submissions,
            out=args.out,
            cell_timeout=args.cell_timeout,
            notebook_timeout=args.timeout,
            isolation=args.isolation,
            jobs=args.jobs,
        )
        print(f"wrote {args.out}")
        return 0
    from learndl.exercises import exercises

    for name, contract in exercises().items():
        print(f"{name}\n    " + " ".join(contract.split()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
