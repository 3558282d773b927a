"""A live-preview session without the server: the calls `mkdocs serve` makes, driven over stdin.

    python tests/helpers/preview_session.py PROJECT/mkdocs.yml SITE_DIR

Like `mkdocs serve`, it loads the configuration, sends on_startup(command="serve")
once, then builds into the same folder each time it reads a line "build" on
stdin, loading the configuration afresh for each build. After each build it
prints one line of JSON: what impart.speed.preview_cache reused.
"""

from __future__ import annotations

import json
import sys

from mkdocs.commands.build import build
from mkdocs.config import load_config

from impart.speed.kept_results import MEMORY


def main(config_file: str, site_dir: str) -> int:
    def fresh_config():
        return load_config(config_file=config_file, site_dir=site_dir)

    config = fresh_config()
    config.plugins.on_startup(command="serve", dirty=False)
    for line in sys.stdin:
        if line.strip() != "build":
            continue
        build(config or fresh_config())  # read again at each rebuild, as `mkdocs serve` does
        config = None
        print(json.dumps({"hits": MEMORY.hits, "misses": MEMORY.misses}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
