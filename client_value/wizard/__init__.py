from . import client_value_outcome_wizard
