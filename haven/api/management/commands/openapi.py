import json
from pathlib import Path

from django.core.management.base import BaseCommand

from haven.api.api import api


def document() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1 (committed as docs/openapi.json)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", default="docs/openapi.json")

    def handle(self, *args, output: str, **options) -> None:
        Path(output).write_text(document(), encoding="utf-8")
        self.stdout.write(f"wrote {output}")
