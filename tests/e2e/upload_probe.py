"""Run as a subprocess: upload each given file once and report its status, time and peak memory growth.

``python -m tests.e2e.upload_probe FILE...`` prints one JSON line per file. Peak RSS is the
kernel's high-water mark (VmHWM), reset before each upload through /proc/self/clear_refs, so
each figure is what that one request added on top of the warmed-up process.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

from siteninja import create_app
from siteninja.extensions import db
from tests import asset_files, factories

STATUS = Path("/proc/self/status")


def _kib(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in {STATUS}")


def reset_peak() -> None:
    """Make the high-water mark the current RSS (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


def post(client, url: str, path: Path | None, content: bytes | None = None):
    stream = path.open("rb") if path else io.BytesIO(content or b"")
    with stream:
        data = {"file": (stream, path.name if path else "warmup.png")}
        return client.post(url, data=data, content_type="multipart/form-data")


def main(paths: list[str]) -> None:
    workdir = tempfile.mkdtemp(prefix="siteninja-probe-")
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir}/probe.db", UPLOAD_DIR=f"{workdir}/uploads"
    )
    with app.app_context():
        db.create_all()
        tenant = factories.tenant()
        client = factories.client_for(app, factories.user(tenant=tenant, role="editor"))
        url = f"/api/tenants/{tenant.id}/assets/upload"
        for warmup in (asset_files.jpeg_with_gps(), asset_files.gif(), asset_files.pdf()):
            assert post(client, url, None, warmup).status_code == 201
        for name in paths:
            path = Path(name)
            reset_peak()
            baseline = _kib("VmRSS")
            started = time.perf_counter()
            response = post(client, url, path)
            elapsed = time.perf_counter() - started
            growth = _kib("VmHWM") - baseline
            line = {"file": path.name, "status": response.status_code, "seconds": round(elapsed, 3)}
            line["peakGrowthMiB"] = round(growth / 1024, 1)
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
