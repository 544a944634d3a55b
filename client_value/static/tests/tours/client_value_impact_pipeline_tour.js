import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Every step may wait for a server round trip on a busy machine.
const STEP_TIMEOUT = 30000;

/**
 * Column header of a stage: the weighted impact sum of the Impact Pipeline.
 */
function impactSum(stage, value) {
    return `.o_kanban_group:has(.o_column_title:contains('${stage}')) .o_kanban_counter .o_animated_number[title='Weighted Impact'] b:text(${value})`;
}

/**
 * A salesperson opens CRM > Sales > Impact Pipeline from the menus: their
 * open opportunities by stage, each column headed by its weighted impact.
 * The records are created by tests/test_browser_features.py.
 */
registry.category("web_tour.tours").add("client_value_impact_pipeline", {
    url: "/odoo",
    steps: () =>
        [
            stepUtils.showAppsMenuItem(),
            {
                trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
                content: "Open the CRM app",
                run: "click",
            },
            {
                trigger: ".o_menu_sections [data-menu-xmlid='crm.crm_menu_sales']",
                content: "Open the Sales menu",
                run: "click",
            },
            {
                trigger: ".dropdown-item[data-menu-xmlid='client_value.crm_lead_menu_impact_pipeline']",
                content: "Open the Impact Pipeline",
                run: "click",
            },
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
        ].map((step) => ({ timeout: STEP_TIMEOUT, ...step })),
});
