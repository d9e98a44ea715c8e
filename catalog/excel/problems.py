"""What an upload reports: each problem at its row and column, in Chinese."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExcelProblem:
    """``row`` is the row number Excel shows (the header is row 1); None for the file as
    a whole. ``column`` is the Chinese header, "" when the problem is not in one cell."""

    row: int | None
    column: str
    message: str

    @property
    def path(self) -> str:
        """A machine-readable location, like the HSDS importer's JSON paths."""
        if self.row is None:
            return "file"
        return f"rows[{self.row}].{self.column}" if self.column else f"rows[{self.row}]"

    @property
    def place(self) -> str:
        if self.row is None:
            return "文件"
        return f"第{self.row}行「{self.column}」" if self.column else f"第{self.row}行"

    def __str__(self):
        return f"{self.place}：{self.message}"


class ExcelImportError(Exception):
    """The workbook was refused; nothing was saved. ``problems`` lists every reason."""

    def __init__(self, problems: list[ExcelProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class ExcelImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"新增 {self.created} 项服务，更新 {self.updated} 项，{self.unchanged} 项无变化。"
