import sys

from impart.cli import main

sys.exit(main())
