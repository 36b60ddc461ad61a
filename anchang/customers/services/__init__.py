"""Every write to customers (one door per change); see the modules for each workflow. Reads
are in customers.selectors, the profile's helpers in customers.profile."""

from anchang.customers.services.conflicts import conflict_resolve
from anchang.customers.services.export import customers_export, customers_export_xlsx
from anchang.customers.services.key_dates import key_date_add, key_date_remove
from anchang.customers.services.media import media_ensure_defaults, medium_create, medium_update
from anchang.customers.services.phone_reveal import phone_reveal
from anchang.customers.services.profile import customer_create, customer_reassign, customer_update
from anchang.customers.services.registration import registration_submit, registration_submit_input

__all__ = [
    "conflict_resolve",
    "customer_create",
    "customer_reassign",
    "customer_update",
    "customers_export",
    "customers_export_xlsx",
    "key_date_add",
    "key_date_remove",
    "media_ensure_defaults",
    "medium_create",
    "medium_update",
    "phone_reveal",
    "registration_submit",
    "registration_submit_input",
]
