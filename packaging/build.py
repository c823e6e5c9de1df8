"""Build the Crash Inspector bundle and installer for the current OS, then smoke-test the frozen app.

    python packaging/build.py            # bundle + installer for this OS + frozen --self-test
    python packaging/build.py --no-installer

Outputs in dist/: the one-folder bundle ``dist/crash-inspector/`` and
- Linux: ``crash-inspector-<version>-linux-<arch>.tar.gz``
- Windows: ``crash-inspector-<version>-setup.exe`` (Inno Setup's ``iscc`` must be on PATH)
- macOS: ``Crash Inspector.app`` and ``crash-inspector-<version>.dmg`` (dmgbuild), signed and notarised when
  the signing secrets are in the environment (see packaging/macos/sign-notarize.sh), skipped with a message otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUILD = ROOT / "build"
META = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
NAME, VERSION = META["name"], META["version"]


def run(cmd: list[str], **kw: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def write_windows_version_info() -> None:
    """A version resource for the Windows exe (file properties dialog), from pyproject's version."""
    parts = [int(p) for p in VERSION.split(".")[:3] if p.isdigit()] + [0]
    nums = tuple([*parts, 0, 0, 0, 0][:4])
    BUILD.mkdir(exist_ok=True)
    (BUILD / "version_info.txt").write_text(
        f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={nums}, prodvers={nums}, mask=0x3f, flags=0x0, OS=0x40004, fileType=0x1,
                    subtype=0x0, date=(0, 0)),
  kids=[StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'Crash Inspector developers'),
      StringStruct('FileDescription', 'Crash Inspector'),
      StringStruct('FileVersion', '{VERSION}'),
      StringStruct('InternalName', '{NAME}'),
      StringStruct('OriginalFilename', '{NAME}.exe'),
      StringStruct('ProductName', 'Crash Inspector'),
      StringStruct('ProductVersion', '{VERSION}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])]
)
""",
        encoding="utf-8",
    )


def freeze() -> Path:
    if sys.platform == "win32":
        write_windows_version_info()
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(BUILD / "pyinstaller"),
            str(ROOT / "packaging" / "crash-inspector.spec"),
        ]
    )
    return DIST / NAME


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def self_test(bundle: Path) -> float:
    """Run the frozen app's --self-test offscreen; returns the cold-start-to-exit time in seconds."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(executable(bundle)), "--self-test"], env=env, capture_output=True, text=True, timeout=300
    )
    elapsed = time.perf_counter() - start
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"build: the frozen self-test failed (exit {proc.returncode})")
    return elapsed


def size_of(path: Path) -> int:
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def linux_tarball(bundle: Path) -> Path:
    out = DIST / f"{NAME}-{VERSION}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(bundle, arcname=f"{NAME}-{VERSION}")
    return out


def windows_installer() -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if not iscc:
        print("build: Inno Setup (iscc) not found; skipping the Windows installer")
        return None
    run(
        [
            iscc,
            f"/DAppVersion={VERSION}",
            f"/DSourceDir={DIST / NAME}",
            f"/DOutputDir={DIST}",
            f"/DIconFile={ROOT / 'resources' / 'icons' / 'crash-inspector.ico'}",
            str(ROOT / "packaging" / "windows" / "crash-inspector.iss"),
        ]
    )
    return DIST / f"{NAME}-{VERSION}-setup.exe"


def macos_dmg() -> Path:
    app = DIST / "Crash Inspector.app"
    run(["bash", str(ROOT / "packaging" / "macos" / "sign-notarize.sh"), "app", str(app)])
    out = DIST / f"{NAME}-{VERSION}.dmg"
    run(
        [
            sys.executable,
            "-m",
            "dmgbuild",
            "-s",
            str(ROOT / "packaging" / "macos" / "dmg_settings.py"),
            "-D",
            f"app={app}",
            "Crash Inspector",
            str(out),
        ]
    )
    run(["bash", str(ROOT / "packaging" / "macos" / "sign-notarize.sh"), "dmg", str(out)])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-installer", action="store_true", help="only the one-folder bundle (+ self-test)")
    parser.add_argument("--no-self-test", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    bundle = freeze()
    print(
        f"build: bundle {bundle} — {size_of(bundle) / 2**20:.1f} MB unpacked, built in "
        f"{time.perf_counter() - start:.0f} s"
    )
    if not args.no_self_test:
        print(f"build: frozen --self-test passed in {self_test(bundle):.2f} s")
    if not args.no_installer:
        if sys.platform.startswith("linux"):
            out = linux_tarball(bundle)
        elif sys.platform == "win32":
            out = windows_installer()
        elif sys.platform == "darwin":
            out = macos_dmg()
        else:
            out = None
        if out is not None:
            print(f"build: installer {out} — {out.stat().st_size / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
