"""The command line's commands, by subject; starter.py parses arguments and runs them."""
