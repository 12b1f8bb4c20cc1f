"""The one exception the domain raises to refuse a command; its text is shown to the user."""


class Refusal(ValueError):
    """A command refused by the item: wrong state, missing permission or a failed rule."""


def reason(err: Exception, what: str) -> str:
    """What a refusal of `what` says: a rule's own words, or what kind of input broke it.

    Handlers turn any exception from parsing, verifying or deciding into a recorded refusal
    (a workflow task never fails on input); this is the text they record.
    """
    if isinstance(err, Refusal):
        return str(err)
    first = (str(err).splitlines() or [""])[0][:200]
    return f"{what}: malformed input ({type(err).__name__}{': ' + first if first else ''})"
