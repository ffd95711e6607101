"""Headless Chromium (Debian's `chromium`) driven by Playwright, for the staff console's tests.

No browser is downloaded: Playwright starts /usr/bin/chromium, which the README's test command
installs. A test that needs it fails when it is missing; it never skips. Screenshots of the
pages are written to build/screenshots/ for a reviewer to look at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}  # a small Android phone
DESKTOP = {"width": 1280, "height": 800}
# As root, without network beyond 127.0.0.1: no sandbox, no background connections.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> None:
    """The page at phone width and at desktop width, for the record."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await page.set_viewport_size(size)
        await page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
