import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.hsds import HsdsImportError, iter_records
from catalog.hsds.reader import read_records
from catalog.hsds.tabular import is_package, read_package
from catalog.hsds.writer import write

PROGRESS_EVERY = 10_000


class Command(BaseCommand):
    help = (
        "导入HSDS 3.1服务记录：JSON数组文件，或CSV数据包（目录或其中的 datapackage.json）。"
        "任何一条有误则全部不导入，并列出每个问题的位置（JSON路径，或CSV文件、行、列）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="HSDS服务记录的JSON文件，或CSV数据包的目录、datapackage.json"
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=PROGRESS_EVERY,
            metavar="N",
            help=f"每处理N条记录在标准错误输出一行进度（默认{PROGRESS_EVERY}；0为不输出）",
        )

    def handle(self, *args, file: Path, progress_every: int, **options):
        self.progress_every = progress_every
        self.started, self.reported = time.monotonic(), 0
        try:
            records, translate = self._records(file)
            reader, services = read_records(self._counted(records))
            if reader.problems:
                raise HsdsImportError(translate(reader.problems))
            self._progress(f"检查完毕：{len(services)} 条记录，正在写入……", len(services))
            summary = write(reader, services, progress=self._saved)
        except HsdsImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"导入失败：共{len(error.problems)}个问题，未做任何修改。"
            ) from error
        except OSError as error:
            raise CommandError(f"无法读取文件 {file}：{error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}"))

    def _records(self, file: Path):
        """The records to read, and how the reader's problems are told (a package's at
        the CSV rows they came from)."""
        if is_package(file):
            package = read_package(file)
            return package.records, package.translate
        # One record per line (as the demo catalog and export_hsds write it) is
        # streamed, so a file of 100,000 records never sits in memory whole.
        return iter_records(file), list

    def _counted(self, records):
        for count, record in enumerate(records, start=1):
            if self.progress_every and count % self.progress_every == 0:
                self._progress(f"已读取并检查 {count} 条记录", count)
            yield record

    def _saved(self, saved: int, total: int) -> None:
        """write() reports every thousand services; speak every N of them, and at the end."""
        every = self.progress_every
        if every and (saved // every > self.reported // every or saved == total):
            self._progress(f"已写入 {saved}/{total} 项服务", total)
        self.reported = saved

    def _progress(self, message: str, count: int) -> None:
        """A line on stderr, for files of at least N records only."""
        if self.progress_every and count >= self.progress_every:
            elapsed = time.monotonic() - self.started
            self.stderr.write(f"{message}（{elapsed:.0f} 秒）")
