import { registry } from "@web/core/registry";
import { impactSum, patient } from "@client_value/../tests/tours/utils/client_value_tour_util";

const BAKERY_CARD = ".o_kanban_record:contains('Bakery ovens')";

/**
 * Setting the impact stars changes the weighted impact of the column: on a
 * card of the Impact Pipeline, then on the opportunity's Client Impact page.
 * The stars save the record at once, in both places.
 * Bakery ovens: 40 % probability, Moderate (50) at the start, in Qualified
 * next to Library kiosks (weighted impact 45).
 */
registry.category("web_tour.tours").add("client_value_impact_stars", {
    url: "/odoo/action-client_value.crm_lead_action_impact_pipeline",
    steps: () =>
        patient([
            {
                trigger: impactSum("Qualified", 65),
                content: "Qualified starts at 20 + 45 = 65",
            },
            {
                trigger: `${BAKERY_CARD} .o_priority_star[aria-label='Moderate'][aria-checked='true']`,
                content: "Bakery ovens is Moderate",
            },
            {
                trigger: `${BAKERY_CARD} .o_priority_star[aria-label='Transformational']`,
                content: "Give it four stars: Transformational",
                run: "click",
            },
            {
                trigger: `${BAKERY_CARD} .o_priority_star[aria-label='Transformational'][aria-checked='true']`,
                content: "The card shows four stars",
            },
            {
                trigger: impactSum("Qualified", 85),
                content: "The column sum follows: 100 x 40% + 45 = 85",
            },
            {
                trigger: `${BAKERY_CARD} [title='Weighted impact']:contains('40')`,
                content: "The card's weighted impact follows too",
            },
            {
                trigger: impactSum("New", 25),
                content: "Other columns are unchanged",
            },
            {
                trigger: BAKERY_CARD,
                content: "Open the opportunity",
                run: "click",
            },
            {
                trigger: ".o_form_view .o_notebook .nav-link[name='client_impact']",
                content: "Open its Client Impact page",
                run: "click",
            },
            {
                trigger: ".o_form_view .tab-pane.active .o_field_widget[name='impact_level'] .o_priority_star[aria-label='Transformational'][aria-checked='true']",
                content: "The form shows the level set on the card",
            },
            {
                trigger: ".o_form_view .tab-pane.active .o_field_widget[name='impact_level'] .o_priority_star[aria-label='Minor']",
                content: "Lower it to one star: Minor (the stars save at once)",
                run: "click",
            },
            {
                trigger: ".o_form_view .tab-pane.active .o_field_widget[name='weighted_impact']:contains('10.00')",
                content: "Weighted impact: 25 x 40% = 10",
            },
            {
                trigger: ".o_breadcrumb .o_back_button",
                content: "Back to the Impact Pipeline",
                run: "click",
            },
            {
                trigger: impactSum("Qualified", 55),
                content: "The column sum follows: 10 + 45 = 55",
            },
        ]),
});
