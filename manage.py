#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Production settings unless told otherwise (secure by default); the local demo and the tests
    # set DJANGO_SETTINGS_MODULE=motcua.settings_demo (Makefile, pyproject.toml).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
