import json
from pathlib import Path

from django.core.management.base import BaseCommand

from catalog.hsds import export_services


class Command(BaseCommand):
    help = "把全部服务导出为HSDS 3.1服务记录（JSON数组，每行一条）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="输出文件；“-”表示标准输出")

    def handle(self, *args, file: Path, **options):
        records = export_services()
        # One record per line, as the district's catalog file is, so a diff shows which changed.
        lines = ",\n".join(
            json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records
        )
        text = f"[\n{lines}\n]\n" if records else "[]\n"
        if str(file) == "-":
            self.stdout.write(text, ending="")
            return
        file.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"已导出{len(records)}项服务到 {file}"))
