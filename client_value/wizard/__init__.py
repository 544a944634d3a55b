from . import client_value_outcome_wizard
from . import mail_activity_schedule
from . import mail_compose_message
from . import base_partner_merge_automatic_wizard
from . import client_value_no_reply_wizard
from . import client_value_snooze_wizard
