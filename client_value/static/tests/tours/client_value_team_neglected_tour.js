import { registry } from "@web/core/registry";
import { openCrmSalesMenu, patient } from "@client_value/../tests/tours/utils/client_value_tour_util";

/**
 * A sales manager opens CRM > Sales > Teams: the team card shows how many of
 * its accounts are neglected; one click lands on those accounts.
 * (tests/test_browser_features.py: the team "Lakeside Care" has Lakeside
 * Dental flagged, another team's account too.)
 */
registry.category("web_tour.tours").add("client_value_team_neglected", {
    url: "/odoo",
    steps: () =>
        patient([
            ...openCrmSalesMenu("crm.sales_team_menu_team_pipeline", "Open the teams"),
            {
                trigger: ".o_kanban_record:contains('Lakeside Care') [name='client_value_neglected'] a:contains('Neglected Account'):has(span:text(1))",
                content: "The team card counts one neglected account",
                run: "click",
            },
            {
                trigger: ".o_breadcrumb .active:contains('Neglected Accounts of Lakeside Care')",
                content: "The team's neglected accounts are listed",
            },
            {
                trigger: ".o_list_view .o_data_row td[name='display_name']:contains('Lakeside Dental')",
                content: "Lakeside Dental is there",
            },
            {
                trigger: ".o_list_view:not(:has(.o_data_row:nth-child(2)))",
                content: "and only it: the other team's account is not",
            },
        ]),
});
