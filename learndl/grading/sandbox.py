"""Where untrusted student code runs: a bubblewrap sandbox, or a plain subprocess.

``bwrap`` mode (Linux with bubblewrap): the whole file system read-only, a private empty
``/tmp`` and home, the instructor's home and the grading folders hidden (the Python
installation and learndl are mounted back, read-only), no network, its own process, IPC
and host-name namespaces, no capabilities, killed with the grader. Only the submission's
own work folder is writable. ``plain`` mode: a subprocess in a temporary folder with a
temporary HOME — time and memory limits only; see ``book/instructor_guide.md``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

MEMORY_LIMIT = 4 * 2**30  # bytes of address space per sandbox (numpy + kernel fit easily)
FILE_LIMIT = 256 * 2**20  # largest file the student may write


def needed_paths() -> list[str]:
    """What the sandbox must see even inside hidden folders: Python, its packages, learndl."""
    import learndl

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(learndl.__file__).parents[1])}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    paths.update(filter(None, os.environ.get("LEARNDL_CHECKERS", "").split(os.pathsep)))
    real = os.path.realpath(sys.executable)
    paths.add(str(Path(real).parents[1]))
    return sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})


def bwrap_args(workdir: str, hidden: list[str], user_ns: bool) -> list[str]:
    """The bubblewrap command line prefix for one submission."""
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    args += ["--tmpfs", "/tmp", "--dir", "/tmp/home", "--tmpfs", "/dev/shm"]
    keep = needed_paths()
    emptied = ["/tmp", "/dev/shm"]
    for folder in sorted({os.path.realpath(h) for h in hidden if os.path.isdir(h)}):
        if folder in ("/", "/usr", "/lib", "/bin", "/etc") or workdir.startswith(folder + "/"):
            continue  # never hide the system; the work folder is mounted below anyway
        args += ["--tmpfs", folder]
        emptied.append(folder)
    # Mount Python and learndl back, read-only, where an emptied folder covered them: a
    # project checked out under /tmp (as CI's fresh clone may be) must still be importable.
    for path in keep:
        if any(path == f or path.startswith(f + "/") for f in emptied):
            args += ["--ro-bind", path, path]
    args += ["--bind", workdir, workdir, "--chdir", workdir]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if user_ns:
        args.insert(1, "--unshare-user")
    return args


@functools.cache
def bwrap_mode() -> tuple[bool, bool, str]:
    """(usable, with a user namespace, why not) — probed once by running ``true`` inside."""
    if shutil.which("bwrap") is None:
        return False, False, "bwrap is not installed (Debian package: bubblewrap)"
    probe = sys.executable
    error = ""
    for user_ns in (True, False):
        args = bwrap_args("/tmp", [], user_ns) + [probe, "-c", "pass"]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            error = str(exc)
            continue
        if done.returncode == 0:
            return True, user_ns, ""
        error = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    return False, False, f"bwrap cannot create its namespaces here ({error})"


def choose(isolation: str = "auto") -> str:
    """``bwrap`` or ``plain``; ``auto`` takes bwrap when it works and warns when it does not."""
    if isolation not in ("auto", "bwrap", "plain"):
        raise ValueError(f"isolation must be auto, bwrap or plain, not {isolation!r}")
    if isolation == "plain":
        return "plain"
    usable, _, why = bwrap_mode()
    if usable:
        return "bwrap"
    if isolation == "bwrap":
        raise RuntimeError(f"learndl grade --isolation bwrap: {why}")
    warnings.warn(
        f"learndl grade: {why}; student code runs in a plain subprocess that can read and "
        "write your files. Install bubblewrap (apt-get install bubblewrap) to sandbox it.",
        RuntimeWarning,
        stacklevel=2,
    )
    return "plain"


def _limits() -> None:  # runs in the child before exec
    import resource

    os.setsid()
    for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT), (resource.RLIMIT_FSIZE, FILE_LIMIT)):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (value, value))


def run(command: list[str], workdir: str, mode: str, hidden: list[str], env: dict, timeout: float):
    """Run ``command`` for one submission; returns (exit code or None on timeout, output)."""
    if mode == "bwrap":
        env = {**env, "HOME": "/tmp/home", "TMPDIR": "/tmp"}
        command = bwrap_args(workdir, hidden, bwrap_mode()[1]) + command
    else:
        env = {**env, "HOME": os.path.join(workdir, ".home"), "TMPDIR": workdir}
        os.makedirs(env["HOME"], exist_ok=True)
    process = subprocess.Popen(
        command,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_limits,  # noqa: PLW1509 - setsid + rlimits, no threads in the grader
    )
    try:
        output, _ = process.communicate(timeout=timeout)
        return process.returncode, output.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)  # the whole session: pytest, the kernel, anything it forked
        output, _ = process.communicate()
        return None, output.decode(errors="replace")
