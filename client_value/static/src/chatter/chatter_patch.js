import { Chatter } from "@mail/chatter/web_portal/chatter";
import { patch } from "@web/core/utils/patch";

/**
 * The contact form shows the account's care figures and touch timeline: they
 * change as soon as an activity is scheduled or done from the chatter, so
 * the form reloads then, as it does after a message is posted
 * (reload_on_post on the contact form's chatter).
 */
// 19.0 reloads the form itself on activity changes (<chatter reload_on_activity>).
const NATIVE_RELOAD_ON_ACTIVITY = Chatter.props.includes("hasParentReloadOnActivityChanged?");

patch(Chatter.prototype, {
    _clientValueReloadsOnActivity(thread) {
        return (
            !NATIVE_RELOAD_ON_ACTIVITY &&
            this.props.hasParentReloadOnMessagePosted &&
            thread?.model === "res.partner"
        );
    },

    onActivityChanged(thread) {
        super.onActivityChanged(thread);
        if (this._clientValueReloadsOnActivity(thread)) {
            this.reloadParentView();
        }
    },

    async scheduleActivity() {
        const thread = this.state.thread;
        if (!thread?.id || !this._clientValueReloadsOnActivity(thread)) {
            return super.scheduleActivity();
        }
        this.closeSearch();
        await this.store.scheduleActivity(thread.model, [thread.id]);
        this.load(thread, ["activities", "messages"]);
        await this.reloadParentView();
    },
});
