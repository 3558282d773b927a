"""What makes builds and the preview faster and changes no page.

Every module here patches MkDocs, Material or the RSS plugin by their internals, so the
whole layer applies only on the versions it was verified on (`impart.speed.fence`) and
`IMPART_SPEED=0` turns it off. Nothing outside this folder imports it but its hooks.
"""
