#!/bin/sh
# Everything the tests need, on Debian: the browser for the staff console's tests (Debian's
# chromium; nothing is downloaded at test time), systemd's `systemd-analyze` for the service
# unit's test, then this package with its test extras.
#   sh tests/setup.sh && pytest        (the README's test command; .ci/run runs exactly this)
set -eu

# need PACKAGE COMMAND: install Debian's PACKAGE unless COMMAND is already there
need() {
    command -v "$2" >/dev/null 2>&1 && return 0
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q "$1" >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null
        $SUDO apt-get install -y -q "$1" >/dev/null
    }
    command -v "$2" >/dev/null  # installed, or stop here
}

need chromium /usr/bin/chromium
/usr/bin/chromium --version >/dev/null 2>&1  # and it runs
need systemd systemd-analyze
pip install -q -e '.[test]'
