"""The operator and approver command line: `python starter.py COMMAND ...` (cli/main.py)."""

import os
import sys

from cli.main import main

if __name__ == "__main__":
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `starter.py list | head`: the reader stopped; nothing to say
        pass
    # Skip interpreter finalisation: tearing down the SDK's Rust runtime threads at exit
    # crashed short-lived CLI runs now and then (SIGSEGV after all output was written).
    os._exit(code)
