"""`anchang permissions_doc`: write docs/permissions.md from permissions.yaml."""

from django.conf import settings
from django.core.management.base import BaseCommand

from anchang.permissions_doc import render


class Command(BaseCommand):
    help = "Render docs/permissions.md from anchang/permissions.yaml."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is stale.")

    def handle(self, *args, check, **options):
        path = settings.REPO_DIR / "docs" / "permissions.md"
        text = render()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                self.stderr.write("docs/permissions.md is stale: run `anchang permissions_doc`.")
                raise SystemExit(1)
            return
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
