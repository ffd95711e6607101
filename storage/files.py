"""Files and folders that hold personal data: readable by their owner only, whatever the umask.

The umask can only take permission bits away, never add them, so a file is created with 0600
and a folder with 0700 and then set to exactly that (a umask like 0277 would leave 0400).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> None:
    """Create `path` and any missing parents as 0700; folders that already exist are left as
    they are (they may be shared, like /tmp or the working directory)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made by someone else meanwhile
            continue
        os.chmod(folder, PRIVATE_DIR)


def create_private(path: Path) -> int:
    """A new file at `path`, 0600, opened for writing: an OS file descriptor.

    Fails if the file exists, so a name cannot be taken over (a planted symlink, say)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return fd


def make_private(path: Path) -> None:
    """Set an existing file to 0600 (no-op if it does not exist)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)
