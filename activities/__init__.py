"""Side effects: the Sage HTTP client and the activities that use it."""
