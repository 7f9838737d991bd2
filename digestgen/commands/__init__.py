"""One module per command of ``digestgen`` (``python build.py``): each adds its parser and runs it.

A command reads its arguments, calls the library, prints, and returns an exit status; the
work itself lives in the stage packages.
"""
