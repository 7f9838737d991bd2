#!/usr/bin/env python3
"""Build the digest: ``python build.py`` (same as ``digestgen build``); ``python build.py --help`` for more."""
import sys

from digestgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
