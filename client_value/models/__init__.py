from . import res_config_settings
from . import mail_activity_type
from . import mail_activity
from . import mail_message
from . import res_partner
from . import client_value_touch
from . import client_value_neglect_event
