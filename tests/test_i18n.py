"""The committed translation template matches the installed module."""

import difflib
import io
import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

POT = Path(__file__).resolve().parents[1] / "client_value/i18n/client_value.pot"
# Header lines that change on every export; scripts/pot.sh drops them too.
VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\n', re.MULTILINE)


def normalise(text):
    return VOLATILE.sub("", text).rstrip("\n") + "\n"


@tagged("post_install", "-at_install", "client_value")
class TestI18n(TransactionCase):
    def test_pot_is_up_to_date(self):
        buffer = io.BytesIO()
        trans_export(False, ["client_value"], buffer, "po", self.env.cr)
        exported = normalise(buffer.getvalue().decode())
        self.assertTrue(POT.is_file(), "%s is missing: run `make pot`" % POT.name)
        committed = normalise(POT.read_text(encoding="utf-8"))
        if committed != exported:
            diff = difflib.unified_diff(
                committed.splitlines(),
                exported.splitlines(),
                "committed client_value.pot",
                "exported from the installed module",
                lineterm="",
            )
            self.fail(
                "client_value/i18n/client_value.pot is out of date: run `make pot` "
                "and commit the file.\n%s" % "\n".join(list(diff)[:80])
            )

    def test_pot_is_a_template(self):
        """Terms only: translations belong in <lang>.po files."""
        text = POT.read_text(encoding="utf-8")
        self.assertNotRegex(text, VOLATILE)
        entries = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, re.MULTILINE)
        self.assertTrue(entries)
        self.assertEqual({msgstr for _msgid, msgstr in entries}, {""})
