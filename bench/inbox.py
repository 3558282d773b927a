"""The inbox's list over 10,000 proposals: the first page, in-process through the real app, side by side with
a baseline that only lists the folder and reads the same page's files.

    .venv/bin/python bench/inbox.py [--proposals 10000] [--rounds 30]

The proposals are written as the store writes them (one 0600 JSON file each, named by reference) into a
temporary folder; the inbox is logged into once, then GET /inbox/ is timed `rounds` times, alternating
with the baseline. Also prints a status filter and a search, cold (every file read) and warm (the parsed
records kept by the process). Target: the first page in at most 200 ms on this machine class.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import cpu_model  # noqa: E402
from werkzeug.test import Client  # noqa: E402

from impart.inbox.accounts import Accounts  # noqa: E402
from impart.inbox.app import create_inbox  # noqa: E402
from impart.inbox.listing import PAGE_SIZE  # noqa: E402
from impart.intake.storage import new_reference, timestamp  # noqa: E402

PASSWORD = "a benchmark's own passphrase"
STATUSES = ("new", "in-review", "proposal-sent", "won", "declined")


def write_proposals(folder: Path, count: int) -> None:
    folder.mkdir(mode=0o700)
    start = time.time() - count * 600
    for n in range(count):
        received = start + n * 600
        reference = new_reference(received)
        record = {
            "reference": reference, "received": timestamp(received), "form_version": 1,
            "status": STATUSES[n % len(STATUSES)], "from": f"/field-notes/note-{n % 40}/", "consent": True,
            "fields": {"name": f"Person {n}", "email": f"p{n}@example.com", "organisation": f"Organisation {n}",
                       "use_case": f"Use case number {n}: answering routine questions for team {n % 97}.",
                       "cost_line": "Under £25,000", "success_measure": f"{n % 9 + 1} days instead of 10"},
        }  # fmt: skip
        fd = os.open(folder / f"{reference}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)


def baseline(folder: Path) -> list:
    """The least any first page can cost: the folder's names sorted, the page's files read and parsed."""
    names = sorted((name for name in os.listdir(folder) if name.endswith(".json")), reverse=True)
    return [json.loads((folder / name).read_bytes()) for name in names[:PAGE_SIZE]]


def timed(call) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({cpu_model()}); "
          f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as temporary:
        project = Path(temporary)
        folder = project / "proposals"
        write_proposals(folder, args.proposals)
        Accounts(project / "inbox-accounts.json").add("bench", PASSWORD, now=time.time())
        app = create_inbox(project, proposals_dir=folder)
        client = Client(lambda environ, start: app({"REMOTE_ADDR": "127.0.0.1", **environ}, start))
        login = client.post("/inbox/login", data={"account": "bench", "password": PASSWORD},
                            headers={"Sec-Fetch-Site": "same-origin"})  # fmt: skip
        assert login.status_code == 303, login.status

        def first_page():
            response = client.get("/inbox/")
            assert response.status_code == 200 and response.get_data().count(b'href="/inbox/p/') == PAGE_SIZE

        ours, base = [], []
        for _ in range(args.rounds):  # alternating, so both see the same machine noise
            ours.append(timed(first_page))
            base.append(timed(lambda: baseline(folder)))
        mine, floor = statistics.median(ours), statistics.median(base)
        print(f"first page of {args.proposals:,} proposals: median {mine:.1f} ms (worst {max(ours):.1f}), "
              f"baseline {floor:.1f} ms: {mine / floor:.2f}x; target at most 200 ms")  # fmt: skip
        cold = timed(lambda: client.get("/inbox/?status=won"))
        warm = statistics.median(timed(lambda: client.get("/inbox/?status=won")) for _ in range(5))
        print(f"filtered by status: cold {cold:.0f} ms (every file read), warm {warm:.0f} ms (kept records)")
        search = statistics.median(timed(lambda: client.get("/inbox/?q=team+42")) for _ in range(5))
        print(f"search of every answer: warm {search:.0f} ms")


if __name__ == "__main__":
    main()
