"""Translations: the committed template matches the installed module, and
French and Spanish translate every term of it, load, and reach the user."""

import difflib
import importlib.util
import io
import re
from pathlib import Path

import polib
from lxml import html

from odoo.tests import TransactionCase, new_test_user, tagged

from .compat import ODOO_19, export_po

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "client_value/i18n"
POT = I18N / "client_value.pot"
# The languages client_value ships, and the Odoo language each one loads into.
LANGS = {"fr": "fr_FR", "es": "es_ES"}
# Header lines that change on every export; scripts/pot.sh drops them too.
VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\n', re.MULTILINE)
# model:<model>,<field>:client_value.<xmlid> and model_terms:...
OCCURRENCE = re.compile(r"^(model|model_terms):([\w.]+),(\w+):(client_value\.\S+)$")


def _load_po_sync():
    """scripts/po_sync.py, which `make po` runs: the same rules as here."""
    spec = importlib.util.spec_from_file_location(
        "po_sync", ROOT / "scripts/po_sync.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


po_sync = _load_po_sync()


def normalise(text):
    return VOLATILE.sub("", text).rstrip("\n") + "\n"


def words(text):
    return " ".join(text.split())


def text_of(markup):
    """The words of an HTML or XML fragment, whitespace collapsed."""
    return words(html.fragment_fromstring(markup, create_parent="div").text_content())


def texts_of(markup):
    """The words of a view or an HTML field, and each of its attribute values."""
    root = html.fragment_fromstring(markup, create_parent="div")
    attributes = [
        words(value) for node in root.iter() for value in node.attrib.values()
    ]
    return "\x00".join([words(root.text_content()), *attributes])


@tagged("post_install", "-at_install", "client_value")
class TestI18n(TransactionCase):
    def test_pot_is_up_to_date(self):
        buffer = io.BytesIO()
        export_po(["client_value"], buffer, self.env)
        exported = normalise(buffer.getvalue().decode())
        self.assertTrue(POT.is_file(), "%s is missing: run `make pot`" % POT.name)
        committed = normalise(POT.read_text(encoding="utf-8"))
        if ODOO_19:
            # The template is exported from 18.0 (make pot); 19.0 exports the
            # same terms of client_value, plus the names 19.0 gives the Odoo
            # models client_value extends (crm.lead is "Lead" there).
            self.assertFalse(self._terms_missing(committed, exported))
            return
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

    def _terms_missing(self, committed, exported):
        """Terms of ``exported`` not in ``committed``, but the names of the
        Odoo models client_value extends."""
        known = {entry.msgid for entry in polib.pofile(committed)}
        # The models client_value defines (its own xmlids; an extended
        # model's xmlid belongs to the module that defines it first).
        own_models = set(
            self.env["ir.model.data"]
            .search([("module", "=", "client_value"), ("model", "=", "ir.model")])
            .filtered(
                lambda data: self.env["ir.model"].browse(data.res_id).modules
                == "client_value"
            )
            .mapped("name")
        )

        def odoo_model_name(occurrence):
            kind, _sep, xmlid = occurrence.partition(":client_value.")
            return kind == "model:ir.model,name" and xmlid not in own_models

        return {
            entry.msgid
            for entry in polib.pofile(exported)
            if entry.msgid not in known
            and not all(odoo_model_name(where) for where, _line in entry.occurrences)
        }

    def test_pot_is_a_template(self):
        """Terms only: translations belong in <lang>.po files."""
        text = POT.read_text(encoding="utf-8")
        self.assertNotRegex(text, VOLATILE)
        entries = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, re.MULTILINE)
        self.assertTrue(entries)
        self.assertEqual({msgstr for _msgid, msgstr in entries}, {""})

    def _report(self, lang):
        path = I18N / ("%s.po" % lang)
        self.assertTrue(path.is_file(), "client_value/i18n/%s.po is missing" % lang)
        return po_sync.problems(path, POT)

    def _fail_on(self, lang, kinds, advice):
        report = self._report(lang)
        found = [
            (kind, msgid, detail) for kind in kinds for msgid, detail in report[kind]
        ]
        if found:
            lines = [
                "  %s %r (%s)" % (kind, po_sync.short(msgid), detail)
                for kind, msgid, detail in found[:40]
            ]
            self.fail(
                "client_value/i18n/%s.po: %d entries %s:\n%s"
                % (lang, len(found), advice, "\n".join(lines))
            )

    def test_every_term_is_translated(self):
        """Every msgid of the template has a non-empty, reviewed msgstr."""
        for lang in LANGS:
            with self.subTest(lang=lang):
                self._fail_on(
                    lang,
                    ("untranslated", "fuzzy"),
                    "untranslated or fuzzy: run `make po`, translate them and "
                    "remove the fuzzy flags",
                )

    def test_no_obsolete_translation(self):
        """Every entry of the .po files is a term of the template."""
        for lang in LANGS:
            with self.subTest(lang=lang):
                self._fail_on(
                    lang, ("obsolete",), "not in client_value.pot: run `make po`"
                )

    def test_placeholders_match(self):
        """%s, %(name)s, {{ ... }}, tags, attributes and entities are kept."""
        for lang in LANGS:
            with self.subTest(lang=lang):
                self._fail_on(
                    lang,
                    ("placeholders",),
                    "whose placeholders differ from the English text",
                )

    def test_placeholder_rule(self):
        """The rule the test above relies on catches what breaks a term."""
        diff = po_sync.placeholder_diff
        self.assertEqual(diff("Late Requests of %s", "Demandes en retard de %s"), "")
        self.assertIn("%(date)s", diff("since %(date)s", "depuis"))
        self.assertIn(
            "{{ object.name }}",
            diff("Hi {{ object.name }}", "Bonjour {{ object.nom }}"),
        )
        self.assertIn(
            "t-out", diff('<t t-out="partner.name"/>', '<t t-out="partenaire.nom"/>')
        )
        self.assertIn("&amp;", diff("risk &amp; compliance", "risques et conformité"))
        self.assertIn(
            "<strong>", diff("<strong>Poor fit.</strong>", "Faible adéquation.")
        )
        # Text for the reader in an attribute is translated like the rest.
        self.assertEqual(
            diff(
                '<i title="Poor fit"/>Poor fit',
                '<i title="Faible adéquation"/>Faible adéquation',
            ),
            "",
        )

    def _load(self, lang):
        code = LANGS[lang]
        self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms(
            ["client_value"], [code], overwrite=True
        )
        return {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(str(I18N / ("%s.po" % lang)))
        }

    def test_terms_load_into_the_database(self):
        """Each record term of the .po files is what the database gives back in
        that language: names, labels, help texts, the email template, and the
        terms of the views and action helps (none rejected by Odoo)."""
        pot = polib.pofile(str(POT))
        for lang, code in LANGS.items():
            with self.subTest(lang=lang):
                translations = self._load(lang)
                env = self.env(context=dict(self.env.context, lang=code))
                wrong, checked = [], 0
                for term in pot:
                    msgstr = translations[term.msgid]
                    for occurrence, _line in term.occurrences:
                        match = OCCURRENCE.match(occurrence)
                        if not match:
                            continue  # code terms, read from the file at run time
                        kind, _model, field, xmlid = match.groups()
                        value = env.ref(xmlid)[field]
                        checked += 1
                        if kind == "model" and value != msgstr:
                            wrong.append("%s: %r != %r" % (occurrence, value, msgstr))
                        elif kind == "model_terms" and text_of(msgstr) not in texts_of(
                            value
                        ):
                            wrong.append(
                                "%s: %r not in the %s text"
                                % (occurrence, text_of(msgstr), lang)
                            )
                self.assertGreater(checked, 400)
                self.assertFalse(wrong, "\n".join(wrong[:40]))

    def test_french_user_sees_french(self):
        """A French salesperson's labels, selection values and window titles."""
        fr = self._load("fr")
        user = new_test_user(
            self.env,
            login="cv_i18n_fr",
            name="Françoise Vendeuse",
            groups="sales_team.group_sale_salesman",
            lang="fr_FR",
        )
        Lead = self.env["crm.lead"].with_user(user).with_context(lang=user.lang)
        field = Lead.fields_get(["impact_level"], ["string", "help", "selection"])[
            "impact_level"
        ]
        self.assertEqual(field["string"], fr["Client Impact"])
        self.assertEqual(field["string"], "Impact client")
        self.assertEqual(
            field["help"],
            fr["How much this sale changes the client's situation, whatever its size."],
        )
        self.assertEqual(dict(field["selection"])["4"], "Transformateur")
        # A translation of the code, read from the .po file when it is used.
        team = self.env["crm.team"].create({"name": "Nord"})
        action = (
            team.with_user(user)
            .with_context(lang=user.lang)
            .action_view_client_value_late_requests()
        )
        self.assertEqual(action["display_name"], "Demandes en retard de Nord")
        # The rating request the client receives in French.
        template = self.env.ref(
            "client_value.mail_template_impact_rating_request"
        ).with_context(lang="fr_FR")
        self.assertEqual(template.subject, "Qu'en avez-vous pensé ? {{ object.name }}")
        self.assertIn("Un clic suffit", template.body_html)
