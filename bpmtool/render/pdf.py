"""The report as a PDF: the HTML report printed by a headless Chromium (or Chrome).

The report's print style sheet lays out the pages (A4 landscape, the summary alone on the
first page, the swimlane at the page's width); Chromium only prints it.  Which browser:
``BPMTOOL_CHROMIUM`` when set, else the first of ``chromium``, ``chromium-browser``,
``google-chrome`` and ``google-chrome-stable`` on the ``PATH``.  Without one,
:class:`PdfUnavailable` says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bpmtool.errors import BpmtoolError

__all__ = ["BROWSERS", "PdfUnavailable", "find_chromium", "html_to_pdf"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: a report of a few thousand findings prints in seconds; this stops a hung browser
TIMEOUT_SECONDS = 120.0


class PdfUnavailable(BpmtoolError):
    """No browser to print the PDF with, or it failed."""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) to print with, or None."""
    chosen = os.environ.get("BPMTOOL_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str) -> bytes:
    """Print a self-contained HTML page to PDF with headless Chromium."""
    browser = find_chromium()
    if browser is None:
        where = os.environ.get("BPMTOOL_CHROMIUM")
        raise PdfUnavailable(
            (f"BPMTOOL_CHROMIUM names {where!r}, which is not a file; " if where else "")
            + "a PDF is printed by Chromium or Google Chrome, and none was found: install "
            "one (Debian/Ubuntu: apt-get install chromium) or set BPMTOOL_CHROMIUM to its "
            "path — or write the HTML report and print it from a browser"
        )
    with tempfile.TemporaryDirectory(prefix="bpmtool-pdf-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        args = [
            browser,
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses root with a sandbox
            args.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(
                args, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, cwd=tmp
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                f"{browser} did not finish printing the PDF within {TIMEOUT_SECONDS:.0f} s"
            ) from None
        except OSError as exc:
            raise PdfUnavailable(f"cannot start {browser}: {exc.strerror}") from None
        if not out.is_file() or out.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise PdfUnavailable(
                f"{browser} printed no PDF (exit {done.returncode})"
                + (f": {detail[0][:300]}" if detail else "")
            )
        return out.read_bytes()
