import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.hsds import export_services, write_package

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "把全部服务导出为HSDS 3.1服务记录：默认为JSON数组（每行一条）；"
        "--format tabular 则在目录中写出每类记录一个CSV文件和 datapackage.json。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="输出文件，“-”表示标准输出；--format tabular 时为输出目录"
        )
        parser.add_argument(
            "--format",
            choices=("json", "tabular"),
            default="json",
            help="json：完整服务记录的JSON数组（默认）；tabular：CSV数据包（Frictionless Tabular Data Package）",
        )
        parser.add_argument(
            "--validate",
            action="store_true",
            help="写出前按HSDS 3.1的JSON Schema逐条校验（严格模式，不联网）；有误则不写文件",
        )

    def handle(self, *args, file: Path, format: str, validate: bool, **options):
        records = export_services()
        if validate:
            self.validate(records)
        if format == "tabular":
            self.write_tabular(file, records)
            return
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

    def write_tabular(self, directory: Path, records: list[dict]) -> None:
        if str(directory) == "-" or directory.is_file():
            raise CommandError(f"--format tabular 需要一个输出目录，而 {directory} 不是目录。")
        try:
            counts = write_package(directory, records)
        except OSError as error:
            raise CommandError(f"无法写入目录 {directory}：{error.strerror}") from error
        files = len(counts) + 1  # and datapackage.json
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出{len(records)}项服务到 {directory}（{files}个文件，含 datapackage.json）"
            )
        )

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
