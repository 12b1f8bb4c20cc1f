"""The one exception the domain raises to refuse a command; its text is shown to the user."""


class Refusal(ValueError):
    """A command refused by the item: wrong state, missing permission or a failed rule."""
