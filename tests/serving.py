"""Running `relancegen serve` and headless Chromium for the tests, both on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
]


@contextmanager
def served(site_dir: Path, *options: str) -> Iterator[str]:
    """`relancegen serve` on a free loopback port; yields its URL, stops it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "relancegen", "serve", "--site", str(site_dir), "-a", "127.0.0.1:0", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Serving "), line + process.stderr.read()
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str) -> tuple[int, bytes]:
    """The status and body of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def chromium(user_data: Path, *arguments: str, timeout: float = 60) -> str:
    """Run headless Chromium once (``--dump-dom URL``, ``--screenshot=… URL``); its stdout."""
    command = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={user_data}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True).stdout


@contextmanager
def open_page(user_data: Path, url: str) -> Iterator[str]:
    """A headless Chromium keeping ``url`` open; yields its DevTools address, whose
    ``/json/list`` tells each open page's URL and title."""
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={user_data}", "--remote-debugging-port=0", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = user_data / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "Chromium did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port_file.read_text().split()[0]}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def page_titles(devtools: str) -> list[str]:
    with urllib.request.urlopen(f"{devtools}/json/list", timeout=10) as response:
        return [page["title"] for page in json.load(response) if page.get("type") == "page"]


def wait_for_title(devtools: str, title: str, timeout: float = 60) -> float:
    """Wait until an open page has ``title``; the seconds it took."""
    started = time.monotonic()
    while title not in page_titles(devtools):
        assert time.monotonic() - started < timeout, f"no page titled {title!r}: {page_titles(devtools)}"
        time.sleep(0.05)
    return time.monotonic() - started
