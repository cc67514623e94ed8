"""`make run`: daphne and the task worker (emails, search index) as one command.

Ctrl-C stops both; when either one exits, the other is stopped too, so the site never runs
without its worker (queued emails and index updates would pile up unseen) nor the reverse.

Each child runs in its own session, so the terminal's Ctrl-C reaches only this launcher,
which then sends each child exactly one SIGTERM: the worker finishes the task it is running
(a second signal would abort it) and daphne closes its connections. A second Ctrl-C, or
GRACE_SECONDS without an exit, kills what is left. Plain Python, so it runs wherever the
project does (macOS's bash 3.2 has no `wait -n`).

Environment: VENV (default .venv), HOST and PORT (default 127.0.0.1:8000), which the
settings also read to build SITE_URL when it is unset.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_SECONDS = 15
POLL_SECONDS = 0.1


def commands(venv: Path, host: str, port: str) -> dict[str, list[str]]:
    """What `make run` starts, by name."""
    return {
        "worker": [
            str(venv / "bin" / "python"),
            "manage.py",
            "db_worker",
            # the autoreloader's child would outlive a TERM sent to its parent
            "--no-reload",
            "--no-startup-delay",
        ],
        "daphne": [str(venv / "bin" / "daphne"), "-b", host, "-p", port, "config.asgi:application"],
    }


def main() -> int:
    host = os.environ.get("HOST") or "127.0.0.1"
    port = os.environ.get("PORT") or "8000"
    env = {**os.environ, "HOST": host, "PORT": port}
    received: list[int] = []

    def on_signal(signum, _frame) -> None:
        received.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    started: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        for name, command in commands(Path(os.environ.get("VENV", ".venv")), host, port).items():
            started[name] = subprocess.Popen(command, env=env, start_new_session=True)
        while not received:
            exited = [(name, p.returncode) for name, p in started.items() if p.poll() is not None]
            if exited:
                name, status = exited[0]
                print(
                    f"run-dev: {name} exited (status {status}); stopping the rest.",
                    file=sys.stderr,
                    flush=True,
                )
                break
            time.sleep(POLL_SECONDS)
        else:
            status = 128 + received[0]
    finally:
        _stop(list(started.values()), received)
    return status


def _stop(processes: list[subprocess.Popen], received: list[int]) -> None:
    """SIGTERM each running child once; kill what is left after the grace period or on a
    further signal (the user pressing Ctrl-C again)."""
    signals_before = len(received)
    for p in processes:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    while any(p.poll() is None for p in processes):
        if time.monotonic() > deadline or len(received) > signals_before:
            for p in processes:
                if p.poll() is None:
                    p.kill()
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    sys.exit(main())
