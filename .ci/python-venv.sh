# Sourced by the .ci scripts that need Python packages from PyPI. Nothing is ever
# pip-installed into a system Python (Debian 12 and Ubuntu 24.04 refuse it: PEP 668): every
# install goes into a virtual environment made here.
#
#   make_venv DIR                  a virtual environment in DIR (python3-venv installed first
#                                  where the distribution ships it apart)
#   venv_pip DIR ARGUMENTS...      pip inside DIR's environment, refused if DIR is not one

make_venv() {
    local dir="$1" base
    base="$(command -v python3 || echo /usr/bin/python3)"
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) in python3-venv.
    if ! "$base" -c 'import ensurepip, venv' >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
        local sudo=""
        if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null \
            || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null; }
        base=/usr/bin/python3
    fi
    rm -rf "$dir"
    "$base" -m venv "$dir"
}

venv_pip() {
    local dir="$1"
    shift
    # A half-made environment's python is the system's own: pip would install there.
    if ! "$dir/bin/python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null; then
        echo "$dir is not a virtual environment: refusing to pip install into it" >&2
        return 1
    fi
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}
