import os
import shutil
import subprocess

import pytest


def pdf_text(path) -> str:
    """The PDF's text as poppler reads it: proof the text is really there."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing: install poppler-utils (.ci/run does)")
        pytest.skip("pdftotext is missing: install poppler-utils")
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout
