"""The Portuguese catalogue is whole and up to date: every string of ours that
the code marks is in locale/pt_BR/LC_MESSAGES/django.po, translated, not fuzzy,
and compiled into the committed django.mo."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
HOW = (
    "Run scripts/messages, translate the entries it marks untranslated or fuzzy "
    "in locale/pt_BR/LC_MESSAGES/django.po (and drop their '#, fuzzy' line), "
    "then run scripts/messages again to compile django.mo; commit both files."
)
# What scripts/messages leaves out (tools, tests, the machine's own files);
# everything else, a new app included, is copied and extracted from.
NOT_SOURCES = {".git", ".venv", "var", "tests", "bench", "seed", "dist", "deploy"}


@pytest.fixture(scope="module")
def gettext_tools():
    if shutil.which("msgattrib") is None or shutil.which("xgettext") is None:
        reason = "GNU gettext is missing: apt-get install gettext"
        if os.environ.get("CI") or os.environ.get("PITSTOP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (.ci/run installs it)", pytrace=False)
        pytest.skip(reason)


def entries(po: Path, *options: str) -> list[str]:
    """The msgids (with their context) that msgattrib selects from a catalogue."""
    out = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-location", "--no-obsolete", *options, po],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found, context = [], ""
    for line in out.splitlines():
        if line.startswith("msgctxt "):
            context = line[len("msgctxt ") :] + " | "
        elif line.startswith("msgid ") and line != 'msgid ""':
            found.append(context + line[len("msgid ") :])
            context = ""
    return found


def test_every_string_in_the_catalogue_is_translated(gettext_tools):
    untranslated = entries(PO, "--untranslated")
    fuzzy = entries(PO, "--only-fuzzy")

    assert untranslated == [], f"untranslated in {PO.name}: {untranslated}. {HOW}"
    assert fuzzy == [], f"fuzzy (a guess to check) in {PO.name}: {fuzzy}. {HOW}"


def test_the_catalogue_holds_every_string_the_code_marks(gettext_tools, tmp_path):
    """makemessages on a copy of the code: what it finds is what the .po has."""
    for source in ROOT.iterdir():
        if source.name in NOT_SOURCES or source.name.startswith("."):
            continue
        if source.is_dir():
            shutil.copytree(
                source,
                tmp_path / source.name,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        else:
            shutil.copy(source, tmp_path / source.name)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "pt_BR"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=True,
    )
    fresh = tmp_path / PO.relative_to(ROOT)

    new = sorted(set(entries(fresh)) - set(entries(PO)))
    stale = sorted(set(entries(PO)) - set(entries(fresh)))
    assert new == [], f"marked in the code but missing from {PO.name}: {new}. {HOW}"
    assert stale == [], f"in {PO.name} but no longer in the code: {stale}. {HOW}"


def test_the_compiled_catalogue_matches_the_po_file(gettext_tools, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", compiled, PO], check=True)

    with MO.open("rb") as committed, compiled.open("rb") as fresh:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        fresh_catalog = gettext.GNUTranslations(fresh)._catalog

    assert committed_catalog == fresh_catalog, (
        f"{MO.name} is older than {PO.name}. {HOW}"
    )
