from . import client_value_outcome_wizard
from . import mail_activity_schedule
from . import mail_compose_message
from . import base_partner_merge_automatic_wizard
