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
        "data/client_value_impact_area_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/res_config_settings_views.xml",
        "views/client_value_impact_area_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_outcome_views.xml",
        "views/crm_team_outcome_views.xml",
        "views/res_partner_outcome_views.xml",
        "views/rating_templates.xml",
        "wizard/client_value_outcome_wizard_views.xml",
    ],
    "demo": [
        "demo/crm_lead_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "client_value/static/src/outcome/*.js",
        ],
        "web.assets_tests": [
            "client_value/static/tests/tours/*.js",
        ],
    },
}
