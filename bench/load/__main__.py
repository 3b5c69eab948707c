"""Load and soak driver: PYTHONPATH=. .venv/bin/python -m bench.load --duration 30 (600 for the soak)."""

import sys

from bench.load.run import main

sys.exit(main())
