"""The systemd unit that ships in deploy/ (issue 15): valid for systemd itself (`systemd-analyze
verify`, which tests/setup.sh installs), and it keeps what the README promises an operator: its
own user, files only it can read, a restart on failure, a graceful stop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

UNIT = Path(__file__).resolve().parent.parent / "deploy" / "bpu-bot.service"


def verify(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` on the unit, run by the bpu-bot installed here (it checks that
    ExecStart's program exists)."""
    installed = Path(sys.executable).with_name("bpu-bot")
    assert installed.exists(), installed
    unit = tmp_path / "bpu-bot.service"
    unit.write_text(text.replace("/opt/bpu-bot/venv/bin/bpu-bot", str(installed)))
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: sh tests/setup.sh installs it"
    return subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )


def test_the_unit_is_valid_for_systemd(tmp_path: Path) -> None:
    checked = verify(tmp_path, UNIT.read_text())
    assert checked.returncode == 0 and checked.stdout + checked.stderr == "", checked


def test_a_mistake_in_the_unit_is_caught(tmp_path: Path) -> None:
    """The check can fail: systemd names a value it cannot read."""
    broken = UNIT.read_text().replace("Restart=on-failure", "Restart=sometimes")
    checked = verify(tmp_path, broken)
    assert "Failed to parse service restart specifier" in checked.stdout + checked.stderr


def test_the_unit_keeps_what_the_readme_promises() -> None:
    settings = dict(
        line.split("=", 1)
        for line in UNIT.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert settings["User"] == "bpu-bot" and settings["UMask"] == "0077"
    assert settings["Restart"] == "on-failure" and settings["KillSignal"] == "SIGTERM"
    assert settings["ExecStart"].endswith("bpu-bot serve")
    assert settings["ReadWritePaths"] == "/var/lib/bpu-bot"
