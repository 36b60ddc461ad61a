"""Error codes of reception, assignment, handover, channel reports and imports."""

from django.db import models


class Code(models.TextChoices):
    NOBODY_FREE = "nobody_free"  # nobody on the roster is free to receive
    NOT_A_RECEIVER = "not_a_receiver"  # not someone who takes walk-ins in this project
    NOT_ON_ROSTER = "not_on_roster"  # not signed in today
    STALE_VERSION = "stale_version"
    HOLD_CAP = "hold_cap"  # the colleagues chosen cannot take them all under the hold cap
    NOTHING_TO_HAND_OVER = "nothing_to_hand_over"
    REPORT_LIMIT = "report_limit"  # a channel agent's reports per hour
    IMPORT_FILE = "import_file"  # not a spreadsheet, empty, too big, no header row
    IMPORT_MAPPING = "import_mapping"  # a required column is not mapped
    IMPORT_STATE = "import_state"  # the batch is not at the step asked for
    IMPORT_REVERT_EXPIRED = "import_revert_expired"
    NOT_DISPUTED = "not_disputed"  # a channel report whose visit is not waiting for a decision
