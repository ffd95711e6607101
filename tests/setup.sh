#!/bin/sh
# Everything the tests need, on Debian: the browser for the staff console's tests (Debian's
# chromium; nothing is downloaded at test time), systemd's `systemd-analyze` for the service
# unit's test, PostgreSQL for the tests that start a real server (tests/postgres.py), then this
# package with its test extras.
#   sh tests/setup.sh && pytest        (the README's test command; .ci/run runs exactly this)
set -eu

# need PACKAGE CHECK: install Debian's PACKAGE unless the shell test CHECK already holds
need() {
    eval "$2" >/dev/null 2>&1 && return 0
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q "$1" >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null
        $SUDO apt-get install -y -q "$1" >/dev/null
    }
    eval "$2" >/dev/null 2>&1  # installed, or stop here
}

need chromium "/usr/bin/chromium --version"
need systemd "command -v systemd-analyze"
need postgresql "ls /usr/lib/postgresql/*/bin/pg_ctl"
pip install -q -e '.[test]'
