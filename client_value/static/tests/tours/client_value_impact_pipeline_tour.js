import { registry } from "@web/core/registry";
import { impactSum, openCrmSalesMenu, patient } from "@client_value/../tests/tours/utils/client_value_tour_util";

/**
 * A salesperson opens CRM > Sales > Impact Pipeline from the menus: their
 * open opportunities by stage, each column headed by its weighted impact.
 * The records are created by tests/test_browser_features.py.
 */
registry.category("web_tour.tours").add("client_value_impact_pipeline", {
    url: "/odoo",
    steps: () =>
        patient([
            ...openCrmSalesMenu(
                "client_value.crm_lead_menu_impact_pipeline",
                "Open the Impact Pipeline"
            ),
            {
                trigger: ".o_breadcrumb .active:contains('Impact Pipeline')",
                content: "The Impact Pipeline is open",
            },
            {
                trigger: ".o_opportunity_kanban .o_kanban_group:has(.o_column_title:contains('New')) .o_kanban_record:contains('Clinic scheduling')",
                content: "Opportunities sit in their stage",
            },
            {
                trigger: impactSum("New", 25),
                content: "New: 100 x 20% + 25 x 20% = 25",
            },
            {
                trigger: impactSum("Qualified", 65),
                content: "Qualified: 50 x 40% + 75 x 60% = 65",
            },
            {
                trigger: impactSum("Proposition", 20),
                content: "Proposition: 25 x 80% = 20",
            },
            {
                trigger: ".o_kanban_record:contains('Library kiosks') [title='Weighted impact']:contains('45')",
                content: "Each card shows its own weighted impact",
            },
            {
                trigger: ".o_opportunity_kanban:not(:has(.o_kanban_record:contains('Warehouse shelving')))",
                content: "A colleague's opportunity is not shown",
            },
        ]),
});
