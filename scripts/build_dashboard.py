"""Build the "Client Impact" spreadsheet dashboard (data/files/*.json).

The dashboard is an Odoo spreadsheet made of live "Odoo charts": each chart
is a read_group on a model of the module, evaluated when the dashboard
opens, and clicking a bar opens the matching filtered list. The JSON is
generated here so every chart stays readable and reviewable as code.

Run:  python scripts/build_dashboard.py   (rewrites the JSON file)
"""

import json
import uuid
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent
    / "client_value/data/files/client_impact_dashboard.json"
)
COL_WIDTH = 545
HEADING_HEIGHT = 40
CHART_ROWS = 14
ROW_HEIGHT = 23

OPEN_OPPS = [["type", "=", "opportunity"], ["probability", "<", 100]]
WON_OPPS = [["type", "=", "opportunity"], ["stage_id.is_won", "=", True]]


def _id(name):
    """Stable figure ids, so regenerating gives the same file."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "client_value/dashboard/" + name))


def chart(
    name, title, model, measure, group_by, domain, kind="bar", stacked=False, **kw
):
    legend = "top" if len(group_by) > 1 else "none"
    data = {
        "title": {"text": title, "bold": True, "color": "#434343"},
        "background": "#FFFFFF",
        "legendPosition": legend,
        "metaData": {
            "groupBy": group_by,
            "measure": measure,
            "order": kw.get("order"),
            "resModel": model,
            "mode": kind,
        },
        "searchParams": {
            "comparison": None,
            "context": kw.get("context", {}),
            "domain": domain,
            "groupBy": group_by,
            "orderBy": [],
        },
        "type": "odoo_" + kind,
        "verticalAxisPosition": "left",
        "stacked": stacked,
    }
    if kind == "line":
        data["fillArea"] = True
        data["cumulative"] = False
    return {"name": name, "data": data, "menu": kw.get("menu")}


SECTIONS = [
    (
        "Impact-weighted pipeline, next to the revenue-weighted one",
        chart(
            "impact_by_user",
            "Weighted client impact by salesperson",
            "crm.lead",
            "weighted_impact",
            ["user_id"],
            OPEN_OPPS,
            order="DESC",
            menu="client_value.crm_lead_menu_impact_pipeline",
        ),
        chart(
            "revenue_by_user",
            "Weighted revenue by salesperson",
            "crm.lead",
            "prorated_revenue",
            ["user_id"],
            OPEN_OPPS,
            order="DESC",
            menu="crm.crm_menu_leads",
        ),
    ),
    (
        "By sales team",
        chart(
            "impact_by_team",
            "Weighted client impact by team",
            "crm.lead",
            "weighted_impact",
            ["team_id"],
            OPEN_OPPS,
            order="DESC",
            menu="client_value.crm_lead_menu_impact_pipeline",
        ),
        chart(
            "revenue_by_team",
            "Weighted revenue by team",
            "crm.lead",
            "prorated_revenue",
            ["team_id"],
            OPEN_OPPS,
            order="DESC",
            menu="client_value.crm_lead_menu_client_impact_report",
        ),
    ),
    (
        "Won revenue against won client impact",
        chart(
            "won_revenue_by_impact",
            "Won revenue by client impact level",
            "crm.lead",
            "expected_revenue",
            ["impact_level"],
            WON_OPPS,
            menu="client_value.crm_lead_menu_client_impact_report",
        ),
        chart(
            "won_small_big",
            "Small deals with big client impact won, by salesperson",
            "crm.lead",
            "__count",
            ["user_id"],
            [*WON_OPPS, ["is_small_big_impact", "=", True]],
            order="DESC",
        ),
    ),
    (
        "How did the sale change the client's situation?",
        chart(
            "outcomes",
            "Outcomes recorded, by month",
            "crm.lead",
            "__count",
            ["outcome_date:month", "outcome_state"],
            [["outcome_state", "in", ["improved", "unchanged", "worsened"]]],
            stacked=True,
            # Improved green, unchanged grey, worsened red: set by
            # static/src/dashboard/chart_colors.js, whatever the palette.
            menu="client_value.crm_lead_menu_outcome_report",
        ),
        chart(
            "satisfaction",
            "Client satisfaction (1-5), by month",
            "rating.rating",
            "rating",
            ["write_date:month"],
            [["res_model", "=", "crm.lead"], ["consumed", "=", True]],
        ),
    ),
    (
        "Neglected accounts",
        chart(
            "neglected_now",
            "Neglected accounts now, by salesperson",
            "res.partner",
            "__count",
            ["user_id"],
            # Every neglected account, the unowned ones too: the bars add
            # up to the Neglected Accounts list.
            [["client_neglected", "=", True]],
            menu="client_value.res_partner_menu_neglected",
        ),
        chart(
            "neglect_trend",
            "Flagged against cleared, per month",
            "client_value.neglect.event",
            "__count",
            ["date:month", "kind"],
            [],
            menu="client_value.client_value_neglect_event_menu",
        ),
    ),
    (
        "Care",
        chart(
            "response_time",
            "Service request response time (hours), per week",
            "client_value.touch",
            "response_hours",
            ["date:week"],
            [["is_request", "=", True], ["response_hours", "!=", False]],
            kind="line",
            menu="client_value.client_value_touch_menu",
        ),
        chart(
            "care_index",
            "Care index: touches per won deal, by deal size",
            "client_value.care.report",
            "touch_count",
            ["size_bucket"],
            [],
            menu="client_value.client_value_care_report_menu",
        ),
    ),
    (
        "Service levels",
        chart(
            "response_by_priority",
            "Response time (hours) by request priority",
            "client_value.touch",
            "response_hours",
            ["priority"],
            [["is_request", "=", True], ["response_hours", "!=", False]],
            menu="client_value.client_value_touch_menu",
        ),
        chart(
            "escalations",
            "Requests escalated, per month, by priority",
            "client_value.touch",
            "__count",
            ["escalate_at:month", "priority"],
            [["is_request", "=", True], ["escalated", "=", True]],
            stacked=True,
            menu="client_value.client_value_touch_menu",
        ),
    ),
]


def build():
    cells, rows, figures, menus = {}, {}, [], {}
    y = 0
    row = 0
    cells["A1"] = {"content": '=_t("Client Impact")'}
    rows["0"] = {"size": HEADING_HEIGHT}
    y += HEADING_HEIGHT
    row += 1
    for heading, left, right in SECTIONS:
        cells[f"A{row + 1}"] = {"content": f'=_t("{heading}")'}
        rows[str(row)] = {"size": HEADING_HEIGHT}
        y += HEADING_HEIGHT
        row += 1
        for col, fig in enumerate((left, right)):
            fid = _id(fig["name"])
            figures.append(
                {
                    "id": fid,
                    "x": col * COL_WIDTH,
                    "y": y,
                    "width": COL_WIDTH - 10,
                    "height": CHART_ROWS * ROW_HEIGHT - 10,
                    "tag": "chart",
                    "data": fig["data"],
                }
            )
            if fig["menu"]:
                menus[fid] = fig["menu"]
        y += CHART_ROWS * ROW_HEIGHT
        row += CHART_ROWS
    styles = {"A1": 1}
    styles.update({f"A{int(r) + 1}": 2 for r in rows if r != "0"})
    return {
        "version": 21,
        "sheets": [
            {
                "id": "sheet1",
                "name": "Dashboard",
                "colNumber": 2,
                "rowNumber": row + 2,
                "rows": rows,
                "cols": {"0": {"size": COL_WIDTH}, "1": {"size": COL_WIDTH}},
                "merges": [],
                "cells": cells,
                "styles": styles,
                "formats": {},
                "borders": {},
                "conditionalFormats": [],
                "figures": figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            }
        ],
        "styles": {
            "1": {"textColor": "#01666b", "bold": True, "fontSize": 22},
            "2": {"textColor": "#01666b", "bold": True, "fontSize": 16},
        },
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": {},
        "pivotNextId": 1,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": [],
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": menus,
    }


def main():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
