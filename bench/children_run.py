"""Running bench.child and reading back its result."""

import json
import subprocess

from bench.child import MARK
from bench.config import PYTHON, ROOT


def run_child(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, "-m", "bench.child", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line.removeprefix(MARK))
    raise RuntimeError(
        f"bench.child {' '.join(args)} failed ({done.returncode}):\n"
        f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )
