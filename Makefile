# client_value — see README.md
.PHONY: demo demo-reset test compat retest lint bench help pot po screenshots readme wheel

help:
	@echo "make demo        set up and serve Odoo with client_value on http://localhost:8069 (admin/admin)"
	@echo "make demo-reset  recreate the demo database, then serve"
	@echo "make test        set up, lint, install client_value in a fresh database and run the tests"
	@echo "make compat      run Odoo's own crm/mail/rating suites without and with client_value;"
	@echo "                 fail listing each test that fails only with client_value"
	@echo "make retest      developer shortcut: upgrade the existing test database and rerun pytest (PYTEST_ARGS=...)"
	@echo "make lint        ruff and pylint-odoo only"
	@echo "make bench       performance benchmark (ACCOUNTS=100000 by default)"
	@echo "make pot         export client_value/i18n/client_value.pot from the test database"
	@echo "make po          merge the .pot into the fr/es .po files and list what is left to translate"
	@echo "make screenshots refresh the app page screenshots (client_value/static/description)"
	@echo "make readme     assemble client_value/README.rst from client_value/readme/*.md"
	@echo "make wheel       build the wheel odoo-addon-client_value of the series into dist/"
	@echo ""
	@echo "Each target runs on Odoo 18.0 by default; ODOO_SERIES=19.0 (or an ODOO_SRC"
	@echo "of a 19.0 tree) runs it on 19.0, e.g. make test ODOO_SERIES=19.0"

demo:
	@bash scripts/demo.sh

demo-reset:
	@bash scripts/demo.sh --reset

test:
	@bash scripts/test.sh

# Odoo's own test suites, without and with client_value (see README).
compat:
	@bash scripts/compat.sh

# Developer shortcut, not used by CI: reuse the test database, skip lint.
# e.g. make retest PYTEST_ARGS="tests/test_install.py -k module"
retest:
	@REUSE_DB=1 SKIP_LINT=1 bash scripts/test.sh

lint:
	@bash scripts/lint.sh

bench:
	@bash scripts/bench.sh

pot:
	@bash scripts/pot.sh

# The .pot merged into client_value/i18n/<lang>.po (msgmerge), terms left listed.
po:
	@bash scripts/venv_run.sh python scripts/po_sync.py

# Reruns the browser tests, saving their screenshots for the app page.
screenshots:
	@CLIENT_VALUE_SCREENSHOTS=update REUSE_DB=1 SKIP_LINT=1 PYTEST_ARGS="$(or $(PYTEST_ARGS),tests/test_browser.py tests/test_browser_features.py tests/test_browser_dashboard.py tests/test_browser_noise.py tests/test_browser_salesperson_day.py)" bash scripts/test.sh

# client_value/README.rst from the fragments in client_value/readme/.
readme:
	@bash scripts/venv_run.sh python scripts/readme.py

# The wheel of one series (ODOO_SERIES, default 18.0), from the one source.
wheel:
	@bash scripts/venv_run.sh python scripts/wheel.py --series $(or $(ODOO_SERIES),18.0)
