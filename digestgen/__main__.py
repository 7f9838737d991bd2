import sys

from digestgen.cli import main

sys.exit(main())
