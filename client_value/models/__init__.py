from . import res_config_settings
from . import client_value_impact_area
from . import crm_lead
