"""The operator and approver command line: `python starter.py COMMAND ...` (cli/main.py)."""

import os
import sys

from cli.main import main

if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalisation: tearing down the SDK's Rust runtime threads at exit
    # crashed short-lived CLI runs now and then (SIGSEGV after all output was written).
    os._exit(code)
