"""Starts `originpull sim` on a free port and hands back its base URL."""

import contextlib
import re
import subprocess


@contextlib.contextmanager
def running(binary, token, *args):
    sim = subprocess.Popen(
        [binary, "sim", "--port", "0", "--token", token, *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in sim.stdout:
            m = re.search(r"CLOUDFLARE_BASE_URL=(\S+)", line)
            if m:
                yield m.group(1)
                break
        else:
            raise SystemExit("FAIL  the simulator printed no base URL")
    finally:
        sim.terminate()
        sim.wait(timeout=10)
