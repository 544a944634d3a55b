"""`make wheel`: the addon as the wheel odoo-addon-client_value of one Odoo
series, built by whool from the one source tree.

The manifest's version is series-neutral (``1.1.0``): Odoo reads it as
``<series>.1.1.0`` on the series it runs. whool reads the series from the
version itself, so the addon's tracked files are copied to a scratch folder
where the version is written out for the series asked (``--series 19.0``
gives ``odoo_addon_client_value-19.0.1.1.0-py3-none-any.whl``, requiring
``odoo==19.0.*``), and the wheel is built from that copy.

    python scripts/wheel.py --series 18.0 --wheel-dir dist
"""

import argparse
import ast
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDON = ROOT / "client_value"
SERIES = ("18.0", "19.0")


def tracked_files(addon):
    """The addon's files that git tracks (whool packs those), else all."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "."],
            cwd=addon,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [p.relative_to(addon) for p in addon.rglob("*") if p.is_file()]
    return [Path(name) for name in out.decode().split("\0") if name]


def series_version(manifest_text, series):
    """The manifest's version written out for ``series``."""
    version = ast.literal_eval(manifest_text)["version"]
    if version.count(".") != 2:
        raise SystemExit(f"the manifest's version must be x.y.z, not {version!r}")
    return f"{series}.{version}"


def build(series, wheel_dir):
    if series not in SERIES:
        raise SystemExit(f"series {series!r}: one of {', '.join(SERIES)}")
    wheel_dir = Path(wheel_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="client_value_wheel_") as tmp:
        copy = Path(tmp) / "client_value"
        for rel in tracked_files(ADDON):
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ADDON / rel, copy / rel)
        manifest = copy / "__manifest__.py"
        text = manifest.read_text()
        version = series_version(text, series)
        text = re.sub(
            r'("version":\s*)"[^"]*"', lambda m: f'{m.group(1)}"{version}"', text
        )
        manifest.write_text(text)
        subprocess.run(
            [
                sys.executable,
                *("-m", "pip", "wheel", "--no-deps", "--no-index"),
                "--no-build-isolation",
                *("--wheel-dir", str(wheel_dir)),
                str(copy),
            ],
            check=True,
        )
    return wheel_dir / f"odoo_addon_client_value-{version}-py3-none-any.whl"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", required=True, choices=SERIES)
    parser.add_argument("--wheel-dir", default=str(ROOT / "dist"))
    args = parser.parse_args()
    print(build(args.series, args.wheel_dir))


if __name__ == "__main__":
    main()
