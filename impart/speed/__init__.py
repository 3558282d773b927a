"""What makes builds and the preview faster and changes no page.

Everything it replaces in MkDocs, Material, Jinja and impart's content is a row of `impart.speed.registry`,
put in place from hooks/speed.py only on the releases it was verified on (`impart.speed.fence`);
`IMPART_SPEED=0` turns it off. Nothing outside this folder imports it but its hook.
"""
