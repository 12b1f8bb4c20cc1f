"""The business of exporting Procore items to Sage: pure Python, no Temporal, no I/O."""
