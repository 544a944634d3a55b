from . import client_value_outcome_wizard
from . import mail_activity_schedule
from . import mail_compose_message
