import { registry } from "@web/core/registry";
import { patient } from "@client_value/../tests/tours/utils/client_value_tour_util";

const THANKS = ".o-mail-Message:contains('Thank you, all clear')";

/**
 * The client wrote "Thank you, all clear!" on the opportunity; it waits for
 * an answer it does not need. The salesperson closes it from the chatter:
 * the message's No Reply Needed action, a reason, done; the chatter logs it
 * and the email no longer offers the action (tests/test_browser_noise.py
 * opens the opportunity and checks the server).
 */
registry.category("web_tour.tours").add("client_value_no_reply", {
    steps: () =>
        patient([
            {
                trigger: THANKS,
                content: "The client's email is in the chatter",
                run: "hover",
            },
            {
                trigger: `${THANKS} [name='client-value-no-reply']`,
                content: "It offers No Reply Needed",
                run: "click",
            },
            {
                trigger: ".modal .o_field_widget[name='summary']:contains('Thank you, all clear')",
                content: "The dialog names the email",
            },
            {
                trigger: ".modal .o_field_widget[name='reason'] input[data-value='information']",
                content: "Information only",
                run: "click",
            },
            {
                trigger: ".modal button[name='action_confirm']",
                content: "Close the request",
                run: "click",
            },
            {
                trigger: "body:not(:has(.modal))",
                content: "The dialog is closed",
            },
            {
                trigger: ".o-mail-Message:contains('No reply needed: Information only')",
                content: "The chatter logs why",
            },
            {
                trigger: THANKS,
                content: "Hover the email again",
                run: "hover",
            },
            {
                trigger: `${THANKS}:not(:has([name='client-value-no-reply']))`,
                content: "It no longer waits",
            },
        ]),
});
