"""Impart: the logic behind the field-notes site and its proposal intake.

Importable without MkDocs, so the content rules survive a change of engine:
`hooks/` only translate MkDocs events into calls on this package.
"""
