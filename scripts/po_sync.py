"""Bring the translations up to date with client_value/i18n/client_value.pot.

``make po`` runs this after ``make pot``. For each <lang>.po of
client_value/i18n/ it:

1. merges the template into the file with GNU gettext's ``msgmerge``:
   translations are kept, new terms are added empty, a changed term gets the
   translation of its closest old term marked ``fuzzy`` (with the old English
   text as ``#| msgid``), and terms gone from the template are dropped
   (``msgattrib --no-obsolete``);
2. lists what is left to do: untranslated terms, fuzzy ones to review, and
   translations whose placeholders (%s, %(name)s, {{ ... }}, tags and their
   attributes, entities) differ from the English text.

Odoo loads a fuzzy translation like any other, so tests/test_i18n.py fails
until every term is translated and no fuzzy flag is left: translate, remove
the ``#, fuzzy`` and ``#|`` lines, rerun ``make po``.

``--check`` changes no file and exits 1 when something is left to do.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parents[1] / "client_value" / "i18n"
POT = I18N / "client_value.pot"

# printf-style conversions as Python formats them ("100 %" is text, "% s" is not)
PRINTF = re.compile(r"%(?:\([\w.]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
EXPRESSION = re.compile(r"\{\{.*?\}\}|#\{.*?\}")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);")
TAG = re.compile(
    r"</?([A-Za-z][\w:.-]*)((?:\s+[^\s=/>]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*/?>"
)
ATTRIBUTE = re.compile(r"([^\s=/>]+)(?:=(\"[^\"]*\"|'[^']*'))?")
# Attributes whose value is text for the reader: translated like the rest.
TEXT_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "string", "help"}


def placeholders(text):
    """What a translation must keep from the English text, as a multiset."""
    found = Counter()
    found.update(("printf", m) for m in PRINTF.findall(text))
    found.update(("expression", m) for m in EXPRESSION.findall(text))
    found.update(("entity", m) for m in ENTITY.findall(text))
    for tag in TAG.finditer(text):
        closing = tag.group(0).startswith("</")
        attributes = []
        for name, value in ATTRIBUTE.findall(tag.group(2)):
            attributes.append((name, "…" if name in TEXT_ATTRIBUTES else value))
        found[
            ("tag", ("/" if closing else "") + tag.group(1), tuple(sorted(attributes)))
        ] += 1
    return found


def placeholder_diff(msgid, msgstr):
    """A readable difference of placeholders, or '' when they match."""
    source, target = placeholders(msgid), placeholders(msgstr)
    if source == target:
        return ""
    missing = ", ".join(_show(k) for k in (source - target).elements())
    extra = ", ".join(_show(k) for k in (target - source).elements())
    return "; ".join(
        part
        for part in (
            "missing " + missing if missing else "",
            "extra " + extra if extra else "",
        )
        if part
    )


def _show(key):
    if key[0] == "tag":
        attributes = " ".join(
            f"{name}={value}" if value else name for name, value in key[2]
        )
        return f"<{key[1]}{' ' + attributes if attributes else ''}>"
    return key[1]


def po_files():
    return sorted(I18N.glob("*.po"))


def problems(po_path, pot_path=POT):
    """Entries of the template that the .po file does not translate properly.

    Returns a dict: untranslated, fuzzy, placeholders, obsolete (lists of
    (msgid, detail))."""
    pot = polib.pofile(str(pot_path))
    po = polib.pofile(str(po_path))
    translations = {entry.msgid: entry for entry in po if not entry.obsolete}
    report = {"untranslated": [], "fuzzy": [], "placeholders": [], "obsolete": []}
    for term in pot:
        entry = translations.get(term.msgid)
        where = term.occurrences[0][0] if term.occurrences else ""
        if entry is None or not entry.msgstr.strip():
            report["untranslated"].append((term.msgid, where))
        elif "fuzzy" in entry.flags:
            report["fuzzy"].append((term.msgid, where))
        else:
            diff = placeholder_diff(term.msgid, entry.msgstr)
            if diff:
                report["placeholders"].append((term.msgid, diff))
    template = {term.msgid for term in pot}
    report["obsolete"] = [
        (entry.msgid, "obsolete (#~)" if entry.obsolete else "not in the template")
        for entry in po
        if entry.msgid and (entry.obsolete or entry.msgid not in template)
    ]
    return report


def merge(po_path):
    """msgmerge the template into po_path, without obsolete entries."""
    for tool in ("msgmerge", "msgattrib"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: install GNU gettext (apt-get install gettext)")
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / po_path.name
        subprocess.run(
            [
                "msgmerge",
                "--quiet",
                "--previous",
                "--output-file",
                str(merged),
                str(po_path),
                str(POT),
            ],
            check=True,
        )
        subprocess.run(
            ["msgattrib", "--no-obsolete", "--output-file", str(po_path), str(merged)],
            check=True,
        )


def short(text, width=70):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv):
    check = "--check" in argv
    if not POT.is_file():
        sys.exit(f"{POT} is missing: run `make pot` first")
    left = 0
    for po_path in po_files():
        if not check:
            merge(po_path)
        report = problems(po_path)
        total = len(polib.pofile(str(POT)))
        todo = sum(len(items) for items in report.values())
        left += todo
        counts = ", ".join(
            f"{len(report[kind])} {label}"
            for kind, label in (
                ("untranslated", "untranslated"),
                ("fuzzy", "fuzzy"),
                ("placeholders", "with other placeholders"),
                ("obsolete", "obsolete"),
            )
        )
        print(f"{po_path.name}: {total} terms, {counts}")
        for kind in ("untranslated", "fuzzy", "placeholders", "obsolete"):
            for msgid, detail in report[kind]:
                print(f"  {kind:<12} {short(msgid)!r}  ({detail})")
    if left:
        print(
            f"{left} entries to finish in client_value/i18n/*.po, then rerun `make po`."
        )
    return 1 if check and left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
