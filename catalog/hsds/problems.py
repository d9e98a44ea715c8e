"""What an HSDS import refuses: each problem at its JSON path, all of them at once."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class HsdsImportError(Exception):
    """The file was refused; nothing was saved. ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
