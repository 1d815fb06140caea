"""`python -m preflight ARGS` runs the `preflight` executable this package installed."""

import os
import sys
import sysconfig


def find_preflight() -> str:
    """The executable pip put in the scripts folder of the environment this Python runs in,
    of the user's scheme (`pip install --user`), or beside the package (`pip install --target`)."""
    name = "preflight" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), name)]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    else:
        user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), name))
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin", name))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "the preflight executable is not in any of " + ", ".join(candidates)
        + ": reinstall the package (pip install --force-reinstall rekognition-preflight)"
    )


def main() -> None:
    executable = find_preflight()
    # Replace this process, so that signals, standard streams and the exit code are the executable's own.
    os.execv(executable, [executable, *sys.argv[1:]])


if __name__ == "__main__":
    main()
