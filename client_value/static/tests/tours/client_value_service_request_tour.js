import { registry } from "@web/core/registry";
import { openCrmSalesMenu, patient, scheduleFromChatter } from "@client_value/../tests/tours/utils/client_value_tour_util";

const CARE_PAGE = ".o_form_view .tab-pane.active";

/**
 * Open Ben Harbour's contact from CRM > Sales > Customers.
 */
function openContact(content) {
    return [
        {
            // 18.0 opens the customers as cards, 19.0 as a list.
            trigger: ".o_kanban_view .o_kanban_record, .o_list_view .o_data_row",
            content: `${content}: the customers are shown`,
        },
        {
            trigger: ".o_searchview_input",
            content: `${content}: search the contact`,
            run: "edit Ben Harbour",
        },
        {
            trigger: ".o_searchview_autocomplete .dropdown-item",
            content: "The search proposes the name",
        },
        {
            trigger: ".o_searchview_input",
            content: "Search",
            run: "press Enter",
        },
        {
            trigger: ".o_searchview .o_facet_value:contains('Ben Harbour')",
            content: "The search is applied",
        },
        {
            trigger: ".o_kanban_renderer:has(.o_kanban_record:contains('Ben Harbour')):not(:has(.o_kanban_record:not(.o_kanban_ghost):not(:contains('Ben Harbour')))), .o_list_renderer:has(.o_data_row:contains('Ben Harbour')):not(:has(.o_data_row:not(:contains('Ben Harbour'))))",
            content: "Only the contact is left",
        },
        ...openCarePage("Open the contact"),
    ];
}

/**
 * From the customers' kanban, open Ben Harbour's form on its Client Care page.
 */
function openCarePage(content) {
    return [
        {
            trigger: ".o_kanban_record:contains('Ben Harbour'), .o_data_row:contains('Ben Harbour') td.o_data_cell",
            content,
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Ben Harbour')",
            content: "The contact form is open",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link[name='client_care']",
            content: "Open its Client Care page",
            run: "click",
        },
    ];
}

/**
 * A salesperson logs, from the chatter's Activities button, a service request
 * the client made five days ago (Requested On in the scheduling dialog); the
 * account's Client Care page counts it as a request waiting for an answer
 * and lists it in the touch timeline, without reloading the page.
 * Harbour Clinic already has one waiting request (tests/test_browser_features.py).
 */
registry.category("web_tour.tours").add("client_value_service_request", {
    url: "/odoo",
    steps: () =>
        patient([
            ...openCrmSalesMenu(
                "crm.res_partner_menu_customer",
                "Open the customers"
            ),
            ...openContact("Before"),
            {
                trigger: `${CARE_PAGE} .o_field_widget[name='waiting_request_count'] span:text(1)`,
                content: "One request of the account waits for an answer",
            },
            ...scheduleFromChatter("Service Request"),
            {
                trigger: ".modal .o_field_widget[name='summary'] input",
                content: "Say what the client asked",
                run: "edit Replacement badge reader",
            },
            {
                trigger: ".modal .o_field_widget[name='date_requested'] input",
                content: "The client asked five days ago: say so",
                run: `edit ${luxon.DateTime.now()
                    .minus({ days: 5 })
                    .toFormat("MM/dd/yyyy 09:00:00")}`,
            },
            {
                trigger: ".modal .o_field_widget[name='summary'] input",
                content: "Leave the date field",
                run: "click",
            },
            {
                trigger: ".modal button[name='action_schedule_activities']",
                content: "Schedule it",
                run: "click",
            },
            {
                trigger: "body:not(:has(.modal))",
                content: "The dialog is closed",
            },
            {
                trigger: ".o-mail-Activity:contains('Replacement badge reader')",
                content: "The request is in the contact's chatter",
            },
            {
                trigger: `${CARE_PAGE} .o_field_widget[name='waiting_request_count'] span:text(2)`,
                content: "Without a reload, two requests of the account wait for an answer",
            },
            {
                trigger: `${CARE_PAGE} .o_field_widget[name='account_touch_ids'] .o_data_row:has(td:contains('Replacement badge reader')):has(td:contains('Waiting for an answer')):has(td[name='requester_id']:contains('Ben Harbour'))`,
                content: "The touch timeline lists the new request, asked by Ben Harbour",
            },
        ]),
});
