import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.hsds import export_services

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "把全部服务导出为HSDS 3.1服务记录（JSON数组，每行一条）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="输出文件；“-”表示标准输出")
        parser.add_argument(
            "--validate",
            action="store_true",
            help="写出前按HSDS 3.1的JSON Schema逐条校验（严格模式，不联网）；有误则不写文件",
        )

    def handle(self, *args, file: Path, validate: bool, **options):
        records = export_services()
        if validate:
            self.validate(records)
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

    def validate(self, records: list[dict]) -> None:
        from catalog.hsds.validation import validate_services

        problems = validate_services(records)
        if not problems:
            self.stderr.write(f"校验通过：{len(records)}条记录均符合HSDS 3.1。")
            return
        for problem in problems[:SHOWN_PROBLEMS]:
            self.stderr.write(str(problem))
        if len(problems) > SHOWN_PROBLEMS:
            self.stderr.write(f"……另有{len(problems) - SHOWN_PROBLEMS}个问题")
        raise CommandError(f"导出未通过HSDS 3.1校验：共{len(problems)}个问题，未写出文件。")
