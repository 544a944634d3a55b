/** @odoo-module **/

import { registry } from "@web/core/registry";
import { showAppsMenuItem } from "@client_value/../tests/tours/utils/client_value_tour_util";

/**
 * A salesperson opens CRM from the apps menu and lands on their own
 * pipeline: their opportunities are there, a colleague's are not.
 * The records are created by tests/test_browser.py.
 */
registry.category("web_tour.tours").add("client_value_salesman_pipeline", {
    url: "/odoo",
    steps: () => [
        showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            content: "Open the CRM app",
            run: "click",
        },
        {
            trigger: ".o_searchview .o_facet_value:contains('My Pipeline')",
            content: "The pipeline opens on the salesperson's own opportunities",
            // Loading the app on a busy 2-core machine can take a while.
            timeout: 20000,
        },
        {
            trigger:
                ".o_opportunity_kanban .o_kanban_group:has(.o_column_title:contains('Qualified')) .o_kanban_record:contains('Bakery ovens')",
            content: "Their qualified opportunity sits in the Qualified column",
        },
        {
            trigger:
                ".o_opportunity_kanban:not(:has(.o_kanban_record:contains('Warehouse shelving')))",
            content: "A colleague's opportunity is not in their pipeline",
        },
        {
            trigger: ".o_opportunity_kanban .o_kanban_record:contains('Bakery ovens')",
            content: "Open the opportunity",
            run: "click",
        },
        {
            trigger: ".o_last_breadcrumb_item:contains('Bakery ovens')",
            content: "The opportunity form shows the record",
            timeout: 20000,
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            content: "Back to the pipeline",
            run: "click",
        },
        {
            trigger: ".o_opportunity_kanban .o_kanban_record:contains('Bakery ovens')",
            content: "The pipeline is back",
        },
    ],
});
