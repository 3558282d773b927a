"""/readyz: whether this server is fit to take readers and proposals, told by its status code alone.

/healthz is liveness (the process answers, the proposals folder takes writes) with counts as JSON; a
monitor that reads only status codes (`curl --fail`) needs a second answer that fails when what a
person gets is wrong: the served site missing or empty, the proposals folder not writable, or a
notification that has been failing longer than `extra.health.notify_failing_minutes` (pending that
long after its proposal arrived, which is past its first retries, or given up and in failed/).
"""

from __future__ import annotations

from pathlib import Path

from impart.intake.outbox import Counts


def readiness_problems(site_dir: Path | None, writable: bool, counts: Counts | None, failing_seconds: int) -> list[str]:
    """One line per reason this server is not ready; none when it is."""
    problems = []
    if site_dir is not None and not (Path(site_dir) / "index.html").is_file():
        problems.append(f"site: no index.html in {site_dir}; publish the site with impart publish")
    if not writable:
        problems.append("proposals: the folder does not take writes; check its owner, mode and free space")
    if counts is not None:
        if counts.failed:
            problems.append(
                f"notifications: {counts.failed} failed for good; see impart proposals notify --retry-failed"
            )
        if counts.pending and counts.oldest_pending_seconds > failing_seconds:
            problems.append(
                f"notifications: one pending for {counts.oldest_pending_seconds}s, over {failing_seconds}s; "
                "see impart proposals outbox and the server's log"
            )
    return problems
