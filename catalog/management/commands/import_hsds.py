from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.hsds import HsdsImportError, import_services, parse_json


class Command(BaseCommand):
    help = "导入HSDS 3.1服务记录（JSON数组）。任何一条有误则全部不导入，并列出每个问题的JSON路径。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="HSDS服务记录的JSON文件")

    def handle(self, *args, file: Path, **options):
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 {file}：{error.strerror}") from error
        try:
            summary = import_services(parse_json(raw))
        except HsdsImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"导入失败：共{len(error.problems)}个问题，未做任何修改。"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}"))
