"""One router per kind of record; `app.py` includes them all."""
