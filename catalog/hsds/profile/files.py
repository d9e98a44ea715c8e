"""The profile's files, laid out as Open Referral's example profile lays them out:
``profile/<core file name>`` the modifications, ``profile/data/`` the default data.

They are ``definition.patches()`` and ``definition.data()`` written out, so that the profile
reads as files (in the repository, and at the URLs that serve them); after a change to the
taxonomies or the rules, write them again::

    .venv/bin/python manage.py shell -c "from catalog.hsds.profile.files import write; write()"

``tests/catalog/test_hsds_profile.py`` fails while they are out of step.
"""

from __future__ import annotations

import json
from pathlib import Path

from catalog.hsds.profile import definition

PROFILE_DIR = Path(__file__).resolve().parent / "profile"
DATA_DIR = PROFILE_DIR / "data"


def dumps(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def expected() -> dict[Path, str]:
    """Each file's path and the text it should have."""
    texts = {PROFILE_DIR / name: dumps(patch) for name, patch in definition.patches().items()}
    texts |= {DATA_DIR / name: dumps(records) for name, records in definition.data().items()}
    return texts


def stale() -> list[str]:
    """The files (relative to the profile directory) missing or differing from what
    ``definition`` says, and any file there that it no longer makes."""
    texts = expected()
    found = set(PROFILE_DIR.rglob("*.json"))
    wrong = [
        path
        for path, text in texts.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    extra = found - set(texts)
    return sorted(path.relative_to(PROFILE_DIR).as_posix() for path in [*wrong, *extra])


def write() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for path in set(PROFILE_DIR.rglob("*.json")) - set(expected()):
        path.unlink()
    for path, text in expected().items():
        path.write_text(text, encoding="utf-8")
