"""Every write to customers (one door per change); see the modules for each workflow."""

from anchang.customers.services.conflicts import conflict_resolve
from anchang.customers.services.export import customers_export, spreadsheet_safe
from anchang.customers.services.key_dates import key_date_add, key_date_remove
from anchang.customers.services.media import (
    DEFAULT_MEDIA,
    media_ensure_defaults,
    medium_create,
    medium_update,
)
from anchang.customers.services.phone_reveal import RevealLimitReached, phone_reveal
from anchang.customers.services.profile import (
    EDITABLE_FIELDS,
    PROFILE_FIELDS,
    clean_name,
    customer_create,
    customer_reassign,
    customer_update,
    profile_values,
    refresh_derived,
    stage_of,
)
from anchang.customers.services.registration import (
    RegistrationResult,
    registers_anywhere,
    registration_project,
    registration_projects,
    registration_submit,
    registration_submit_input,
)

__all__ = [
    "DEFAULT_MEDIA",
    "EDITABLE_FIELDS",
    "PROFILE_FIELDS",
    "RegistrationResult",
    "RevealLimitReached",
    "clean_name",
    "conflict_resolve",
    "customer_create",
    "customer_reassign",
    "customer_update",
    "customers_export",
    "key_date_add",
    "key_date_remove",
    "media_ensure_defaults",
    "medium_create",
    "medium_update",
    "phone_reveal",
    "profile_values",
    "refresh_derived",
    "registration_project",
    "registration_projects",
    "registration_submit",
    "registration_submit_input",
    "registers_anywhere",
    "spreadsheet_safe",
    "stage_of",
]
