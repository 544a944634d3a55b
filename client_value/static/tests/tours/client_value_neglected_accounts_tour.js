import { registry } from "@web/core/registry";
import { openCrmSalesMenu, patient } from "@client_value/../tests/tours/utils/client_value_tour_util";

const LAKESIDE_ROW = ".o_list_view .o_data_row:has(td[name='display_name']:contains('Lakeside Dental'))";

/**
 * After the scheduled action ran, the salesperson finds the account in
 * CRM > Sales > Neglected Accounts, with the reason and the waiting time,
 * and its form carries the red banner.
 * Lakeside Dental: one service request of Nora Lakeside, 20 days old, and
 * no other touch (tests/test_browser_features.py).
 */
registry.category("web_tour.tours").add("client_value_neglected_accounts", {
    url: "/odoo",
    steps: () =>
        patient([
            ...openCrmSalesMenu(
                "client_value.res_partner_menu_neglected",
                "Open the Neglected Accounts"
            ),
            {
                trigger: ".o_breadcrumb .active:contains('Neglected Accounts')",
                content: "The Neglected Accounts list is open",
            },
            {
                trigger: `${LAKESIDE_ROW}:has(td[name='client_waiting_days']:text(20))`,
                content: "Lakeside Dental is listed: Nora's request waits for 20 days",
            },
            {
                trigger: ".o_list_view:not(:has(.o_data_row td[name='display_name']:contains('Harbour Clinic')))",
                content: "An account touched within the window is not listed",
            },
            {
                trigger: `${LAKESIDE_ROW} td[name='display_name']`,
                content: "Open the account",
                run: "click",
            },
            {
                trigger: ".o_form_view .alert-danger:contains('Neglected account.'):contains('(20 days)')",
                content: "Its form says why it is neglected",
            },
        ]),
});
