import sys

from aiguide.cli import main

sys.exit(main())
