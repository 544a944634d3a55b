{
    "name": "Client Value",
    "summary": "Track the value a sale brings to the client: impact-weighted "
    "pipeline, every client touch, neglected-account watch, outcome reviews",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/client-value/client_value",
    "author": "client_value contributors",
    "license": "LGPL-3",
    "application": False,
    "installable": True,
    "depends": [
        "crm",
        "mail",
        "rating",
        "spreadsheet_dashboard",
    ],
    "data": [
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_tests": [
            "client_value/static/tests/tours/**/*",
        ],
    },
}
