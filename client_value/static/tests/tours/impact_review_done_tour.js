import { registry } from "@web/core/registry";

/**
 * "Mark Done" then "Done" on an Impact Review opens the outcome wizard
 * instead of closing the review with a plain feedback line.
 */
registry.category("web_tour.tours").add("client_value_impact_review_done", {
    steps: () => [
        {
            trigger: ".o-mail-Activity:contains('improve the client') .o-mail-Activity-markDone",
            content: "Complete the Impact Review",
            run: "click",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone textarea",
            content: "Write what changed",
            run: "edit Their waiting list is gone",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label='Done']",
            content: "Done",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='outcome_state'] input[data-value='improved']",
            content: "The client's situation improved",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='outcome_note'] textarea:value(Their waiting list is gone)",
            content: "The feedback is kept as the outcome note",
        },
        {
            trigger: ".modal button[name='action_record_outcome']",
            content: "Record the outcome",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The wizard is closed",
        },
        {
            trigger: ".o-mail-Message:contains('Outcome: Improved')",
            content: "The outcome is in the chatter",
        },
    ],
});
