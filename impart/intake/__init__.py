"""The Request a Proposal intake: form definition, validation, storage, the WSGI app."""
