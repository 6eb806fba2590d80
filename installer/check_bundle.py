"""``make bundle-check``: the built bundle used from outside, as an office's IT person would.

From the bundle, with no display (Qt offscreen): ``--version`` is the package's; a terminal is set
up and enrolled at a real central started from the development environment on loopback (the
bundle carries no central); ``selftest`` passes every check; a receipt-printer test page is made
as a PDF; the counter's window opens with the desk behind it; ``demo`` says it is not included.
The bundle is checked to hold none of the central server; the Linux tarball installs into a
scratch prefix and its installed command runs. Exit code 0 when everything holds.

    python installer/check_bundle.py [dist/erial-desk] [--keep FOLDER]

``--keep`` leaves the scratch folder (the terminal's data, its PDF) there to be looked at.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from erial_desk import __version__  # noqa: E402

WINDOWS = sys.platform == "win32"
PROGRAM = "erial-desk.exe" if WINDOWS else "erial-desk"
PASSPHRASE = "passphrase of the bundle check"
OFFICE = "MCT-HQ"
# Packages the bundle must not carry: the central server and what only it uses, test tools.
NOT_IN_BUNDLE = (
    "erial_central",
    "erial_desk.demo_central",
    "fastapi",
    "uvicorn",
    "psycopg",
    "pytest",
    "tests",
)


class CheckFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bundle_env(home: Path) -> dict[str, str]:
    """The bundle's environment: no display, the key file's passphrase, nothing of the venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "ERIAL_DESK"))
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ERIAL_DESK_KEY_PASSPHRASE=PASSPHRASE,
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
    )
    return env


def run(command: list[str], env: dict[str, str], expect: int = 0) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != expect:
        raise CheckFailed(
            f"{' '.join(command)} exited {done.returncode}, not {expect}:\n"
            f"{done.stdout}\n{done.stderr}"
        )
    return done.stdout + done.stderr


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.perf_counter()
    print(f"  {name} ...", end="", flush=True)
    yield
    print(f" ok ({time.perf_counter() - started:.1f} s)", flush=True)


@contextmanager
def central(workdir: Path) -> Iterator[tuple[str, str]]:
    """A seeded central on loopback, from the development environment: (address, admin token)."""
    cli = [sys.executable, "-m", "erial_central.cli", "--database", f"sqlite:///{workdir}/c.db"]
    cli += ["--secrets", str(workdir / "secrets.json")]
    seeded = subprocess.run(
        [*cli, "seed-demo", "--subscribers", "20", "--bills", "20"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    found = re.search(r"admin credential: (\S+)", seeded.stdout)
    if seeded.returncode != 0 or not found:
        raise CheckFailed(f"central's seed-demo failed:\n{seeded.stdout}\n{seeded.stderr}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(workdir / "central.log", "wb") as log:
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise CheckFailed(
                    "central did not start:\n" + (workdir / "central.log").read_text()
                )
            time.sleep(0.1)
        yield url, found.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


def enrolment_code(url: str, admin_token: str) -> str:
    made = requests.post(
        f"{url}/v1/admin/offices/{OFFICE}/terminals",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=30,
    )
    made.raise_for_status()
    return str(made.json()["enrolment_code"])


def bundled_modules(bundle: Path, program: Path) -> set[str]:
    """The Python modules in the bundle: compiled files in its folder (the spec keeps modules
    out of an archive, which starts faster) and whatever an archive in the program holds."""
    from PyInstaller.archive.readers import CArchiveReader

    internal = bundle / "_internal"
    names = {
        ".".join(path.relative_to(internal).with_suffix("").parts).removesuffix(".__init__")
        for path in internal.rglob("*.pyc")
    }
    package = CArchiveReader(str(program))
    for name in package.toc:
        if name.endswith(".pyz") or name.startswith("PYZ"):
            names |= set(package.open_embedded_archive(name).toc)
    return names


def check_contents(bundle: Path, program: Path) -> None:
    modules = bundled_modules(bundle, program)
    if "erial_desk.cli" not in modules or "erial_desk.selftest" not in modules:
        raise CheckFailed("the bundle's archive does not list the desk's modules")
    found = sorted(
        m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_IN_BUNDLE)
    )
    found += [str(p) for n in NOT_IN_BUNDLE for p in bundle.rglob(n.replace(".", "/"))]
    if found:
        raise CheckFailed(f"the bundle carries what the desk does not need: {found[:10]}")
    if (bundle / "VERSION").read_text(encoding="utf-8").strip() != __version__:
        raise CheckFailed("the bundle's VERSION file is not the package's version")


def check_tarball(dist: Path, workdir: Path, env: dict[str, str]) -> None:
    """The Linux tarball's install script, into a scratch prefix; the installed command runs;
    the uninstall script removes the program and keeps the terminal's data."""
    tarballs = sorted(dist.glob(f"erial-desk-{__version__}-linux-*.tar.gz"))
    if not tarballs:
        raise CheckFailed("no Linux tarball in dist/ (make bundle makes it)")
    with tarfile.open(tarballs[-1]) as archive:
        archive.extractall(workdir / "unpacked", filter="tar")
    (unpacked,) = (workdir / "unpacked").iterdir()
    prefix = workdir / "prefix"
    scripts_env = {**env, "PREFIX": str(prefix)}
    run(["sh", str(unpacked / "install.sh")], scripts_env)
    installed = prefix / "bin" / "erial-desk"
    if run([str(installed), "--version"], env).strip() != f"erial-desk {__version__}":
        raise CheckFailed("the installed command does not say the package's version")
    entry = (prefix / "share" / "applications" / "erial-desk.desktop").read_text(encoding="utf-8")
    if f"Exec={prefix}/bin/erial-desk gui" not in entry:
        raise CheckFailed(f"the desktop entry does not start the installed command:\n{entry}")
    run(["sh", str(unpacked / "uninstall.sh")], scripts_env)
    if installed.exists() or (prefix / "lib" / "erial-desk").exists():
        raise CheckFailed("uninstall.sh left the program behind")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="check_bundle.py")
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "erial-desk")
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args(argv)
    bundle: Path = args.bundle
    program = bundle / PROGRAM
    if not program.exists():
        print(f"no bundle at {bundle}: run 'make bundle' first", file=sys.stderr)
        return 2
    print(f"checking the bundle {bundle} ({__version__})")
    if args.keep is not None:
        shutil.rmtree(args.keep, ignore_errors=True)
        args.keep.mkdir(parents=True)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="erial-bundle-check-"))
    try:
        env = bundle_env(workdir / "home")
        desk = [str(program), "--data-dir", str(workdir / "desk")]
        with step("--version is the package's"):
            said = run([str(program), "--version"], env).strip()
            if said != f"erial-desk {__version__}":
                raise CheckFailed(f"--version says {said!r}")
        with step("only the desk inside (no central server, no tests)"):
            check_contents(bundle, program)
        with central(workdir) as (url, admin_token):
            with step("init and enroll at central"):
                run(
                    [*desk, "init", "--office", OFFICE, "--central", url]
                    + ["--keyring", "encrypted-file", "--language", "en"],
                    env,
                )
                run(
                    [*desk, "enroll", "--server", url, "--code", enrolment_code(url, admin_token)],
                    env,
                )
            with step("selftest passes every check (offscreen)"):
                lines = run([*desk, "--lang", "en", "selftest"], env).splitlines()
                failed = [line for line in lines if not line.startswith("[PASSED] ")]
                if failed or len(lines) < 9:
                    raise CheckFailed("selftest:\n" + "\n".join(lines))
                run([*desk, "--lang", "ar", "selftest"], env)
            with step("a receipt-printer test page made as a PDF"):
                run([*desk, "print-test"], env)
                check_pdf(workdir / "desk" / "printouts")
            with step("the counter's window opens with the desk behind it"):
                run([*desk, "gui", "--quit-when-open"], env)
        with step("demo says the bundle has no central"):
            said = run([*desk, "--lang", "en", "demo"], env, expect=1)
            if "does not include" not in said:
                raise CheckFailed(f"demo said: {said}")
        if sys.platform.startswith("linux"):
            with step("the tarball installs, runs and uninstalls"):
                check_tarball(bundle.parent, workdir, env)
    except CheckFailed as exc:
        print(f"\nbundle check FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print("bundle check passed")
    return 0


def check_pdf(folder: Path) -> None:
    from pypdf import PdfReader

    made = sorted(folder.glob("*.pdf"))
    if len(made) != 1:
        raise CheckFailed(f"expected one PDF in {folder}, found {made}")
    reader = PdfReader(made[0])
    words = "".join(page.extract_text() or "" for page in reader.pages)
    if not reader.pages or "e-Rial" not in words:
        raise CheckFailed(f"the PDF {made[0].name} is not the test page: {words[:200]!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
