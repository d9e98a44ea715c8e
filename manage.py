#!/usr/bin/env python
"""Django's command-line utility. Settings: dev, or production when DJANGO_ENV=production."""

import os
import sys
from pathlib import Path

# The project package lives in site/ (see site/jiamenkou/__init__.py for why).
sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))


def main():
    from jiamenkou import default_settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
