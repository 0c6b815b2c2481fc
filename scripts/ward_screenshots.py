"""Regenerate the ward screenshots in docs/img/ from the real pages (run: .venv/bin/python scripts/ward_screenshots.py).

Starts ``sepsiscope serve`` on a free port with a fresh database in a temporary folder, makes a
token per role, replays the seeded synthetic ward through the ingest API (``sepsiscope replay
synthetic``), then sends a blood culture, an IV antibiotic and a lactate for the most urgent
patient so that the hour-1 bundle clocks have something to show. Debian's chromium (through
Playwright) signs in as a nurse and photographs the ward, the alert inbox and that patient's
page at 1,280 px and the ward at 390 px. The PNGs are reduced to 256 colours to stay small.
Everything shown is synthetic.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "img"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sepsiscope", *args], capture_output=True, text=True, cwd=REPO,
                          check=True)  # fmt: skip
    return done.stdout


def call(url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{url}/api/v1{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def wait(what: str, ready: Any, timeout_s: float = 180) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shrink(path: Path) -> None:
    """256-colour PNG (the pages are flat colours; a few hundred KB at most)."""
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="ward-shots-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "sepsiscope", "serve", "--port", str(port), "--data-dir",
                               str(folder / "data")], stdout=log, stderr=subprocess.STDOUT, cwd=REPO)  # fmt: skip
    try:
        wait("the server", lambda: _healthy(url), 60)
        data = str(folder / "data")
        tokens = {r: cli("token", "create", "--role", r, "--name", f"ward-{r}", "--data-dir", data).split()[-1]
                  for r in ("integration", "nurse")}  # fmt: skip
        cli("replay", "synthetic", "--to", url, "--token", tokens["integration"], "--patients", "10", "--hours", "36",
            "--seed", "7")  # fmt: skip
        rows = wait("the scorer", lambda: _scored(url, tokens["nurse"]))
        top = rows[0]["patient_id"]
        now = datetime.now(UTC)
        call(url, tokens["integration"], "POST", "/events", {"events": [
            {"id": "shot-cx", "patient_id": top, "time": (now - timedelta(minutes=55)).isoformat(),
             "kind": "blood_culture_drawn"},
            {"id": "shot-abx", "patient_id": top, "time": (now - timedelta(minutes=35)).isoformat(),
             "kind": "antibiotic_given", "drug": "piperacillin_tazobactam", "route": "iv"},
        ]})  # fmt: skip
        call(url, tokens["integration"], "POST", "/observations", {"observations": [
            {"id": "shot-lac", "patient_id": top, "time": (now - timedelta(minutes=50)).isoformat(),
             "variable": "lactate", "value": 3.4}]})  # fmt: skip
        wait("the scorer", lambda: _scored(url, tokens["nurse"]))
        shoot(url, tokens["nurse"], top)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _scored(url: str, token: str) -> list[dict[str, Any]] | None:
    rows = call(url, token, "GET", "/patients")["patients"]
    return rows if rows and all(r["as_of"] is not None for r in rows) else None


def shoot(url: str, token: str, patient: str) -> None:
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Debian chromium not found on PATH (apt-get install -y chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        desk = (("list", "/ward"), ("alerts", "/ward/alerts"), ("patient", f"/patients/{patient}"))
        for viewport, shots in ((DESK, desk), (PHONE, (("list-phone", "/ward"),))):
            context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="en-GB")
            page = context.new_page()
            page.goto(f"{url}/ward")
            page.get_by_label("Your token").fill(token)
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            for name, path in shots:
                page.goto(f"{url}{path}")
                page.wait_for_load_state("networkidle")
                target = OUT / f"ward-{name}.png"
                height = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": viewport["width"], "height": min(height, 2400)}
                page.screenshot(path=str(target), clip=clip, full_page=True)
                shrink(target)
                print(f"{target.relative_to(REPO)}: {target.stat().st_size // 1024} KB")  # noqa: T201
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
