"""The systemd unit in deploy/: where it says the site is installed, and its [Service] settings."""

from tests.helpers.site import PROJECT

UNIT = PROJECT / "deploy" / "impart.service"
INSTALLED = "/srv/impart"


def service_section() -> dict[str, list[str]]:
    """[Service] keys with every value given (a key may be repeated)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values
