"""Load and soak driver: PYTHONPATH=. .venv/bin/python -m bench.load --duration 30 (600 for the soak)."""

import os
import sys

# Set here, before the harness reads them, and only when run as the program: a test importing the driver
# must not change where, or how verbosely, every later process stack of its session runs. A database and
# vhost of its own unless told otherwise (MOMENTUM_PROCESS_DB/VHOST, or MOMENTUM_TEST_DB/VHOST + "_proc");
# it rebuilds them at start.
if "MOMENTUM_TEST_DB" not in os.environ:
    os.environ.setdefault("MOMENTUM_PROCESS_DB", "momentum_bench_load")
if "MOMENTUM_TEST_VHOST" not in os.environ:
    os.environ.setdefault("MOMENTUM_PROCESS_VHOST", "momentum_bench_load")
os.environ.setdefault("MOMENTUM_PROCESS_LOG_LEVEL", "WARNING")

from bench.load.run import main  # noqa: E402

sys.exit(main())
