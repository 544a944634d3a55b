"""Small pieces of the web client's vocabulary the module returns."""


def notification(kind, message, next_action, sticky=False):
    """A client action showing ``message`` (``kind``: success, info, warning,
    danger), then running ``next_action``."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": kind,
            "message": message,
            "sticky": sticky,
            "next": next_action,
        },
    }


SOFT_RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}
CLOSE = {"type": "ir.actions.act_window_close"}
