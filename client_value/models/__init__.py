from . import res_config_settings
from . import client_value_impact_area
from . import crm_lead
from . import crm_team
from . import mail_activity
from . import rating_rating
from . import res_partner
from . import res_users
