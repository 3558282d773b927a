"""The proposal form's answers: a submission the real form accepts, and the origin the test client speaks from."""

from __future__ import annotations

# The origin werkzeug's test client speaks from (Host: localhost), served by handlers made for tests.
LOCAL = ("http://localhost",)


def valid_submission(**changes: str) -> dict[str, str]:
    """A submission the real form in docs/request-a-proposal.md accepts; `changes` replace or add fields.

    Every field is filled (the optional role too, and use_case over two lines) but the empty honeypot `website`.
    """
    fields = {
        "name": "Ada Lovelace",
        "email": "a@example.com",
        "organisation": "Analytical Engines Ltd",
        "role": "Head of operations",
        "use_case": "Answer routine claims questions.\nThe claims team relies on it.",
        "operator": "Priya Shah, claims team lead",
        "cost_line": "Under £25,000",
        "success_measure": "Claims answered in 2 days instead of 5 by June",
        "rollback": "The team goes back to the shared inbox.",
        "timeline": "Within a month",
        "consent": "yes",
        "website": "",
        "from": "/field-notes/pilot-to-production/",
    }
    fields.update(changes)
    return fields
