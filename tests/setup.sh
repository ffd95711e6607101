#!/bin/sh
# Everything the tests need, on Debian: the browser for the staff console's tests (Debian's
# chromium; nothing is downloaded at test time), then this package with its test extras.
#   sh tests/setup.sh && pytest        (the README's test command; .ci/run runs exactly this)
set -eu
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q chromium >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null
        $SUDO apt-get install -y -q chromium >/dev/null
    }
    /usr/bin/chromium --version >/dev/null  # installed and runnable, or stop here
fi
pip install -q -e '.[test]'
