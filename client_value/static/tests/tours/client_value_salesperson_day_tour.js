import { registry } from "@web/core/registry";
import { openCrmSalesMenu, patient, scheduleFromChatter } from "@client_value/../tests/tours/utils/client_value_tour_util";

const SCHEDULE = ".modal button[name='action_schedule_activities']";

/**
 * From the account's Waiting button to the opportunity the client wrote on,
 * and back through the breadcrumb (tests/test_browser_salesperson_day.py).
 */
registry.category("web_tour.tours").add("client_value_waiting_to_document", {
    steps: () =>
        patient([
            {
                trigger: ".o_breadcrumb .active:contains('Day Clinic')",
                content: "The account is open",
            },
            {
                trigger: ".oe_stat_button[name='action_view_waiting_requests']:visible",
                content: "Its Waiting button is in sight, not under More",
                run: "click",
            },
            {
                trigger: ".o_list_view .o_data_row:contains('Which plan fits us?') td[name='summary']",
                content: "The waiting request is listed: open its row",
                run: "click",
            },
            {
                trigger: ".o_form_view .o_breadcrumb .active:contains('Day Clinic booking')",
                content: "The row opened the opportunity the client wrote on",
            },
            {
                trigger: ".o-mail-Message:contains('Which plan fits us?')",
                content: "The client's email is in its chatter",
            },
            {
                trigger: ".o_breadcrumb .breadcrumb-item:not(.active) a:contains('Touches'), .o_breadcrumb .breadcrumb-item:not(.active) a:contains('Waiting'), .o_breadcrumb .o_back_button",
                content: "Back to the waiting requests",
                run: "click",
            },
            {
                trigger: ".o_list_view .o_data_row:contains('Which plan fits us?')",
                content: "The waiting requests are shown again",
            },
        ]),
});

/**
 * Client Tasks shows, by default, what needs the salesperson: the request
 * still waiting, not the one already answered.
 */
registry.category("web_tour.tours").add("client_value_client_tasks", {
    steps: () =>
        patient([
            ...openCrmSalesMenu(
                "client_value.mail_activity_menu_client_tasks",
                "Open Client Tasks"
            ),
            {
                trigger: ".o_searchview .o_facet_value:contains('Needs Action')",
                content: "What needs action, by default",
            },
            {
                trigger: ".o_list_view .o_group_header:contains('Service request')",
                content: "Open the service requests",
                run: "click",
            },
            {
                trigger: ".o_list_view .o_data_row:contains('Replacement badge reader')",
                content: "The waiting request is listed",
            },
            {
                trigger: ".o_list_view:not(:has(.o_data_row:contains('Copy of the contract')))",
                content: "The answered one is not",
            },
        ]),
});

/**
 * A Requested On in the future is refused, in the salesperson's own time;
 * once corrected, the same dialog schedules the request.
 */
registry.category("web_tour.tours").add("client_value_schedule_after_refusal", {
    steps: () =>
        patient([
            ...scheduleFromChatter("Service Request"),
            {
                trigger: ".modal .o_field_widget[name='summary'] input",
                content: "Say what the client asked",
                run: "edit Spare cables",
            },
            {
                trigger: ".modal .o_field_widget[name='date_requested'] input",
                content: "A date in the future, by mistake",
                run: `edit ${luxon.DateTime.now().plus({ days: 3 }).toFormat("MM/dd/yyyy 09:00:00")}`,
            },
            {
                trigger: ".modal .o_field_widget[name='summary'] input",
                content: "Leave the date field",
                run: "click",
            },
            {
                trigger: SCHEDULE,
                content: "Schedule it",
                run: "click",
            },
            {
                trigger: ".modal:contains('cannot be later than when the request was logged') .modal-footer .btn-primary",
                content: "It is refused; close the message",
                run: "click",
            },
            {
                trigger: `${SCHEDULE}:enabled`,
                content: "The dialog still offers Schedule",
            },
            // 19.0 shows a filled date as a button until it is clicked.
            {
                isActive: [".modal .o_field_widget[name='date_requested'] button.o_input"],
                trigger: ".modal .o_field_widget[name='date_requested'] button.o_input",
                content: "Open the date for editing",
                run: "click",
            },
            {
                trigger: ".modal .o_field_widget[name='date_requested'] input",
                content: "Correct the date: two days ago",
                run: `edit ${luxon.DateTime.now().minus({ days: 2 }).toFormat("MM/dd/yyyy 09:00:00")}`,
            },
            {
                trigger: ".modal .o_field_widget[name='summary'] input",
                content: "Leave the date field",
                run: "click",
            },
            {
                trigger: `${SCHEDULE}:enabled`,
                content: "Schedule it",
                run: "click",
            },
            {
                trigger: "body:not(:has(.modal))",
                content: "The dialog is closed",
            },
            {
                trigger: ".o-mail-Activity:contains('Spare cables')",
                content: "The request is in the chatter",
            },
        ]),
});

/**
 * The manager's Neglected Accounts: the client who waited longest first,
 * whatever the names.
 */
registry.category("web_tour.tours").add("client_value_neglected_order", {
    steps: () =>
        patient([
            {
                trigger: ".o_list_view .o_data_row",
                content: "The neglected accounts are listed",
            },
            {
                trigger: ".o_searchview_input",
                content: "Search the accounts of this test",
                run: "edit CV Order",
            },
            {
                trigger: ".o_searchview_input",
                content: "Search",
                run: "press Enter",
            },
            {
                trigger: ".o_list_view:not(:has(.o_data_row:not(:contains('CV Order'))))",
                content: "Only they are left",
            },
            {
                trigger: ".o_list_view .o_data_row:nth-child(1):contains('CV Order B')",
                content: "60 days of waiting come first",
            },
            {
                trigger: ".o_list_view .o_data_row:nth-child(2):contains('CV Order C')",
                content: "then 45 days",
            },
            {
                trigger: ".o_list_view .o_data_row:nth-child(3):contains('CV Order A')",
                content: "then 35 days",
            },
        ]),
});
