import { ActivityMarkAsDone } from "@mail/core/web/activity_markasdone_popover";
import { patch } from "@web/core/utils/patch";

/**
 * An Impact Review is not completed with a plain feedback line: its "Done"
 * button goes through the server, which answers with the outcome wizard.
 */
patch(ActivityMarkAsDone.prototype, {
    async onClickDone() {
        if (this.props.activity.client_value_outcome_review) {
            return this.onClickDoneAndScheduleNext();
        }
        return super.onClickDone(...arguments);
    },
});
