"""`anchang flags_backfill`: check every follow-up not yet checked for suspicious records."""

from django.core.management.base import BaseCommand, CommandError

from anchang.followups.suspicion.services import SCAN_BATCH, flags_backfill
from anchang.org.models import Project


class Command(BaseCommand):
    help = (
        "Store the suspicious-record flags (可疑记录) of existing follow-ups: the tick's scan, "
        "run to the end. Resumes where it stopped; running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, help="only this project (id)")
        parser.add_argument("--batch", type=int, default=SCAN_BATCH, help="records per step")

    def handle(self, *args, project=None, batch=SCAN_BATCH, **options):
        if not 1 <= batch <= 100_000:
            raise CommandError("--batch must be from 1 to 100000")
        projects = None
        if project is not None:
            projects = list(Project.objects.filter(pk=project))
            if not projects:
                raise CommandError(f"no project {project}")
        written = flags_backfill(projects=projects, batch=batch)
        for pk, n in written.items():
            self.stdout.write(f"project {pk}: {n} flags written")
