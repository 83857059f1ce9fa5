"""Bombs and oversize uploads are refused without the memory they ask for (measured in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests import asset_files as files

ROOT_DIR = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024
PEAK_BOUND_MIB = 256
REFUSED = {
    "bomb-50000x50000.png": files.png_bomb,
    "64-megapixels.jpg": files.jpeg_64mp,
    "huge-frame-extent.gif": files.gif_with_huge_frame,
    "170-frames.gif": files.gif_with_many_frames,
    "over-5-mb.png": lambda: files.noisy_png(5 * MiB + 1),
    "over-20-mb.pdf": lambda: files.big_pdf(21 * MiB),
    "80-mb.pdf": lambda: files.big_pdf(80 * MiB),
}
CONTROL = "control-36-megapixels.jpg"


def control_image() -> bytes:
    """An allowed 36 MP image: its decode must show up in the measurement, or the probe sees nothing."""
    return files._save(Image.new("L", (6000, 6000), 90), "JPEG", quality=50)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_bombs_and_oversize_uploads_stay_under_256_mib_of_peak_memory(tmp_path):
    paths = []
    for name, make in [*REFUSED.items(), (CONTROL, control_image)]:
        path = tmp_path / name
        path.write_bytes(make())
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "tests.e2e.upload_probe", *paths],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = {line["file"]: line for line in map(json.loads, result.stdout.splitlines())}
    print("\n" + "\n".join(json.dumps(line) for line in report.values()))
    assert report[CONTROL]["status"] == 201
    assert report[CONTROL]["peakGrowthMiB"] >= 30, "the probe must see a real decode"
    for name in REFUSED:
        assert report[name]["status"] == 413, report[name]
        assert report[name]["peakGrowthMiB"] < PEAK_BOUND_MIB, report[name]
