import { messageActionsRegistry } from "@mail/core/common/message_actions";
import { _t } from "@web/core/l10n/translation";

/**
 * "No Reply Needed" on an email from the client that still waits for an
 * answer (the server marks it client_value_waiting): opens the dialog that
 * closes it with a reason, then shows the chatter's note and the message
 * as no longer waiting.
 *
 * One definition serves both series: 18.0 calls condition and onClick with
 * the message component (it has .message, .props.thread and .env) and
 * labels the button with title; 19.0 calls condition and onSelected with
 * { message, owner, thread }, labels it with name and shows it among the
 * quick actions by sequenceQuick.
 */
function parts(arg) {
    const owner = arg.owner || arg;
    return {
        message: arg.message,
        thread: arg.thread || owner.props?.thread,
        services: owner.env.services,
    };
}

async function openNoReply(arg) {
    const { message, thread, services } = parts(arg);
    await services.action.doAction(
        {
            type: "ir.actions.act_window",
            name: _t("No Reply Needed"),
            res_model: "client_value.no.reply.wizard",
            views: [[false, "form"]],
            target: "new",
            context: { default_res_model: "mail.message", default_res_id: message.id },
        },
        {
            onClose: async () => {
                const [read] = await services.orm.read(
                    "mail.message",
                    [message.id],
                    ["date_answered"]
                );
                if (read?.date_answered) {
                    message.client_value_waiting = false;
                    await thread?.fetchNewMessages();
                }
            },
        }
    );
}

const label = _t("No Reply Needed");
messageActionsRegistry.add("client-value-no-reply", {
    condition: (arg) => Boolean(arg.message?.client_value_waiting),
    icon: "fa fa-check-circle-o",
    title: label,
    name: label,
    onClick: openNoReply,
    onSelected: openNoReply,
    sequence: 15,
    sequenceQuick: 15,
});
