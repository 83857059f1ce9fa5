"""Asset benchmark: uploads/s of a 1 MB JPEG (p50/p95), and GET /api/files/{token} next to bare Flask.

Usage: ``.venv/bin/python bench/assets.py [--uploads 60] [--concurrency 4] [--duration 10]``.
Needs wrk, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. Both servers are gunicorn with
the same worker count, on free ports of 127.0.0.1, started and stopped by this script.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siteninja import create_app  # noqa: E402
from siteninja.config import normalize_database_url  # noqa: E402
from siteninja.extensions import db  # noqa: E402
from siteninja.models import Subscription, User  # noqa: E402
from siteninja.resources.auth.tokens import issue_tokens  # noqa: E402
from siteninja.resources.tenants.service import create_tenant  # noqa: E402
from siteninja.services.passwords import hash_password  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "siteninja_bench_assets"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/13"
WORKERS = "2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database() -> None:
    connection = psycopg2.connect(PG_ADMIN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    connection.close()


def one_megabyte_jpeg() -> bytes:
    """A photo-like JPEG of about 1 MB (noise over a gradient: it does not compress away)."""
    side = 1450
    noise = Image.frombytes("L", (side, side), os.urandom(side * side)).convert("RGB")
    picture = Image.blend(Image.linear_gradient("L").resize((side, side)).convert("RGB"), noise, 0.35)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


def seed(app) -> tuple[str, str]:
    """An enterprise tenant (room for every upload) and an editor's token."""
    with app.app_context():
        db.create_all()
        tenant = create_tenant(data={"name": "Bench Assets", "subdomain": "bench-assets"})
        db.session.query(Subscription).filter_by(tenant_id=tenant.id).update({"plan": "enterprise"})
        editor = User(
            tenant_id=tenant.id,
            email="bench-assets@example.test",
            name="Bench",
            role="editor",
            password_hash=hash_password("Bench-Passw0rd!"),
            email_verified=True,
        )
        db.session.add(editor)
        db.session.flush()
        token = issue_tokens(editor)["access_token"]
        db.session.commit()
        return str(tenant.id), token


def start(app_spec: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-w", WORKERS, "-b", f"127.0.0.1:{port}", app_spec]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit(f"gunicorn {app_spec} did not start; see {log}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


def bench_uploads(base: str, tenant: str, token: str, content: bytes, args) -> dict:
    url = f"{base}/api/tenants/{tenant}/assets/upload"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def one(n: int) -> tuple[float, int, str]:
        started = time.perf_counter()
        response = session.post(url, files={"file": (f"photo-{n}.jpg", content, "image/jpeg")}, timeout=30)
        return time.perf_counter() - started, response.status_code, response.text

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(one, range(args.uploads)))
    elapsed = time.perf_counter() - started
    latencies = sorted(r[0] * 1000 for r in results)
    failures = [r for r in results if r[1] != 201]
    return {
        "rps": len(results) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "errors": len(failures),
        "url": json.loads(results[0][2])["data"]["url"] if not failures else failures[0][2][:200],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    recreate_database()
    workdir = Path(tempfile.mkdtemp(prefix="siteninja-bench-assets-"))
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_ENABLED": "false",
        "JWT_ACCESS_MINUTES": "120",
        "SECRET_KEY": "bench-secret",
        "JWT_SECRET_KEY": "bench-jwt-secret-0123456789abcdef",
        "UPLOAD_DIR": str(workdir / "uploads"),
        "BENCH_FILE": str(workdir / "ceiling.jpg"),
    }
    os.environ.update(env)
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=normalize_database_url(DATABASE_URL),
        REDIS_URL=REDIS_URL,
        SECRET_KEY=env["SECRET_KEY"],
        JWT_SECRET_KEY=env["JWT_SECRET_KEY"],
    )
    tenant, token = seed(app)
    content = one_megabyte_jpeg()
    api_port, bare_port = free_port(), free_port()
    api = start("wsgi:app", api_port, env, workdir / "api.log")
    try:
        uploads = bench_uploads(f"http://127.0.0.1:{api_port}", tenant, token, content, args)
        file_path = "/api/files/" + uploads["url"].split("/api/files/")[1]
        Path(env["BENCH_FILE"]).write_bytes(requests.get(f"http://127.0.0.1:{api_port}{file_path}").content)
        bare = start("bench.bare_flask:app", bare_port, env, workdir / "bare.log")
        try:
            files = run_wrk_at(api_port, file_path, args)
            ceiling = run_wrk_at(bare_port, "/file", args)
        finally:
            stop(bare)
    finally:
        stop(api)
    report(args, len(content), uploads, files, ceiling)
    return 0


def run_wrk_at(port: int, path: str, args) -> dict:
    """wrk against one server, no credentials (the file URL is its own authorization)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    command = ["wrk", "-t", "1", "-c", str(args.connections), "-d", f"{args.duration}s", "--timeout", "5s"]
    command += ["-s", str(ROOT / "bench/report.lua"), f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=args.duration + 30, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def report(args, size: int, uploads: dict, files: dict, ceiling: dict) -> None:
    print(f"\n{WORKERS} gunicorn workers, PostgreSQL + Redis, local storage, {os.cpu_count()} CPUs\n")
    print(
        f"upload of a {size / 1024**2:.2f} MB JPEG ({args.uploads} uploads, {args.concurrency} at a time): "
        f"{uploads['rps']:.1f}/s, p50 {uploads['p50']:.0f} ms, p95 {uploads['p95']:.0f} ms, "
        f"errors {uploads['errors']}"
    )
    print(f"\nGET of the stored file ({args.connections} connections, {args.duration}s each)")
    print(f"{'server':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for name, row in (("GET /api/files/{token}", files), ("bare Flask send_file", ceiling)):
        print(f"{name:<28}{row['rps']:>9.1f}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['errors']:>8}")


if __name__ == "__main__":
    sys.exit(main())
