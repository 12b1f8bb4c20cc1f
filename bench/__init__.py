"""Benchmarks: scripts that run the real stack (dev server, mock Sage, worker) and print figures.

They are never tests: nothing here asserts a time. Each figure is printed beside a baseline
measured in the same run, because this machine is shared and noisy. `python -m bench` (or
`make bench`) runs them all; bench/README.md says what each one does and what it found.
"""
