from . import client_value_report_mixin
from . import client_value_touch
from . import client_value_care_report
