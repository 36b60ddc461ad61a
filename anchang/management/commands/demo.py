"""`anchang demo`: load the demo organisation once (skipped when data exists)."""

from django.core.management.base import BaseCommand

from anchang.demo.build import DEMO_PASSWORD, build_demo
from anchang.org.models import Company, Role, User


class Command(BaseCommand):
    help = "Load deterministic demo data (regions, projects, staff of every role, customers)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds a company.",
        )

    def handle(self, *args, seed, if_empty, **options):
        if Company.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded.")
                self._print_logins(None)
                return
            self.stderr.write("The database already holds data; demo data is loaded only once.")
            raise SystemExit(1)
        result = build_demo(seed=seed)
        self.stdout.write(
            f"Demo data loaded: {result.staff} staff, {result.customers} customers, "
            f"{result.registrations} calls and visits, {result.followups} follow-ups, "
            f"{result.deals} deals, {result.reception} reception ledger entries (seed {seed})."
        )
        self._print_logins(result.logins)

    def _print_logins(self, logins: dict | None) -> None:
        if logins is None:
            logins = {}
            for role in Role.values:
                user = (
                    User.objects.filter(memberships__role=role, is_active=True)
                    .order_by("id")
                    .first()
                )
                if user:
                    logins[role] = user.username
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for role in Role.values:
            if role in logins:
                self.stdout.write(f"  {role:<11} {logins[role]:<14} ({Role(role).label})")
