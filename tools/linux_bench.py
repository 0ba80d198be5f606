#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Linux in the same emulator as Tern: boots Debian's own kernel image (the linux-image-*-amd64
package behind the linux-image-amd64 metapackage, fetched with `apt-get download` into
BUILD_DIR/linux/ once and unpacked there, never installed) with tools/linux_bench/bench.c, built
static with musl-gcc, as the /init of a tiny initramfs. The program times getpid, pipe round trips
between processes and between threads, a futex ping-pong, a sched_yield ping-pong, page faults and
fork+exit+wait with rdtsc; QEMU runs once with -icount shift=0 (a tick is a guest instruction) and
several times under plain TCG (host TSC ticks; the median of the runs is reported).

Prints `BENCH linux.<name> <value> <unit> <mode>`; --json FILE also writes the figures, the kernel's
version and the boot time as JSON (tools/bench.py imports `measure` or reads that file).
Usage: linux_bench.py BUILD_DIR [--mode icount|tcg|both] [--tcg-runs N] [--json FILE]"""
import argparse
import json
import lzma
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools/linux_bench/bench.c"
MACRO_SCRIPT = ROOT / "tools/linux_bench/macro.sh"
BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static, as tools/linux_run.py packs it
METAPACKAGE = "linux-image-amd64"
MODES = {"icount": (["-icount", "shift=0,sleep=off", "-rtc", "base=2020-01-01T00:00:00,clock=vm"], "instructions"),
         "tcg": ([], "ticks")}
# quiet keeps the console to bench.c's lines; panic=-1 turns a dying init into a reset, which
# -no-reboot turns into QEMU's exit, so a failure never leaves QEMU running until the timeout.
KERNEL_ARGUMENTS = "console=ttyS0 quiet panic=-1"
RUN_TIMEOUT_SECONDS = 240


@dataclass
class Kernel:
    package: str
    version: str
    image: Path  # Debian's vmlinuz, a bzImage
    boot_image: Path  # what QEMU boots: the same kernel uncompressed when it has a PVH entry, else image


@dataclass
class Run:
    mode: str
    figures: dict
    info: list
    init_started_at: int
    wall_seconds: float


@dataclass
class Figure:
    name: str
    value: int
    unit: str
    mode: str
    runs: list = field(default_factory=list)  # each run's value; value is their median
    lowest: int = 0  # under plain TCG the best estimate of an idle host: contention only adds


def command_output(command: list, **options) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, **options).stdout


def ensure_packages() -> None:
    """musl-gcc comes from musl-tools and /bin/busybox from busybox-static, which ./tern deps
    installs like every other dependency."""
    if shutil.which("musl-gcc") is None or shutil.which("qemu-system-x86_64") is None or not BUSYBOX.exists():
        subprocess.run([str(ROOT / "tern"), "deps"], check=True)


def resolve_kernel_package() -> tuple:
    """(package, version) of the versioned kernel image the metapackage depends on, from apt's
    local lists: no network. Debian's metapackage pins it: `Depends: linux-image-X-amd64 (= V)`."""
    show = command_output(["apt-cache", "show", "--no-all-versions", METAPACKAGE])
    depends = re.search(r"^Depends:.*?\b(linux-image-\S+-amd64)(?: \(= (\S+)\))?", show, re.MULTILINE)
    if not depends:
        raise RuntimeError(f"apt-cache names no linux-image-*-amd64 behind {METAPACKAGE} (run apt-get update)")
    package, version = depends.groups()
    if version is None:
        shown = command_output(["apt-cache", "show", "--no-all-versions", package])
        version = re.search(r"^Version: (\S+)$", shown, re.MULTILINE).group(1)
    return package, version


def fetch_kernel(cache: Path) -> Kernel:
    """The kernel image, downloaded and unpacked into cache/<package>_<version>/ on first use only.
    Only the package's ./boot is unpacked (the modules are 400 MB and an initramfs without them
    suffices: Debian builds the serial console and initramfs support in)."""
    cache.mkdir(parents=True, exist_ok=True)
    try:
        package, version = resolve_kernel_package()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        cached = sorted(image for image in cache.glob("linux-image-*/boot/vmlinuz-*")
                        if not image.parent.parent.name.endswith(".partial"))
        if not cached:
            raise
        print(f"linux_bench: {error}; using the cached {cached[-1]}", file=sys.stderr)
        package, version = cached[-1].parent.parent.name.split("_", 1)
        return Kernel(package, version, cached[-1], bootable_image(cached[-1]))
    folder = cache / f"{package}_{version}"
    images = sorted(folder.glob("boot/vmlinuz-*"))
    if images:
        return Kernel(package, version, images[0], bootable_image(images[0]))
    for stale in cache.glob(f"{package}_*.deb"):
        stale.unlink()
    print(f"linux_bench: downloading {package} {version} with apt-get", file=sys.stderr)
    download = subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=cache,
                              capture_output=True, text=True)
    debs = sorted(cache.glob(f"{package}_*.deb"))
    if download.returncode != 0 or not debs:
        raise RuntimeError(f"apt-get download {package}={version} failed:\n{download.stdout}{download.stderr}")
    unpacked = folder.with_name(folder.name + ".partial")
    shutil.rmtree(unpacked, ignore_errors=True)
    unpacked.mkdir()
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(debs[0])], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(unpacked), "./boot"], stdin=tar.stdout, check=True)
    if tar.wait() != 0:
        raise RuntimeError(f"dpkg-deb could not read {debs[0]}")
    unpacked.rename(folder)
    images = sorted(folder.glob("boot/vmlinuz-*"))
    if not images:
        raise RuntimeError(f"{debs[0]} holds no boot/vmlinuz-*")
    return Kernel(package, version, images[0], bootable_image(images[0]))


def has_pvh_entry(elf: bytes) -> bool:
    """Whether an ELF64 kernel carries Xen's PHYS32_ENTRY note (type 18), with which QEMU's -kernel
    starts it directly in 32-bit protected mode (the PVH boot protocol)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        return False
    table, entry_size, count = struct.unpack_from("<Q", elf, 32)[0], *struct.unpack_from("<HH", elf, 54)
    for index in range(count):
        kind, _, offset, _, _, size = struct.unpack_from("<IIQQQQ", elf, table + index * entry_size)
        position, end = offset, offset + size
        while kind == 4 and position + 12 <= end:  # PT_NOTE
            name_size, description_size, note_type = struct.unpack_from("<III", elf, position)
            name = elf[position + 12:position + 12 + name_size]
            if name == b"Xen\0" and note_type == 18:
                return True
            position += 12 + (name_size + 3) // 4 * 4 + (description_size + 3) // 4 * 4
    return False


def bootable_image(image: Path) -> Path:
    """Debian's bzImage decompresses itself, which under -icount costs about 4.5 billion guest
    instructions and 12 s: the same kernel, uncompressed here once (vmlinux beside the image),
    boots through its PVH entry instead. Falls back to the bzImage when the payload is in a format
    Python cannot read or has no PVH entry."""
    uncompressed = image.with_name("vmlinux")
    if uncompressed.exists():
        return uncompressed
    data = image.read_bytes()
    elf = b""
    xz, gz = data.find(b"\xfd7zXZ\x00"), data.find(b"\x1f\x8b\x08")
    try:
        if xz >= 0:
            elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[xz:])
        elif gz >= 0:
            elf = zlib.decompressobj(wbits=31).decompress(data[gz:])
    except (lzma.LZMAError, zlib.error):
        elf = b""
    if not has_pvh_entry(elf):
        return image
    partial = uncompressed.with_name("vmlinux.partial")
    partial.write_bytes(elf)
    partial.rename(uncompressed)
    return uncompressed


def build_program(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread",
                    "-o", str(output), str(SOURCE)], check=True)
    return output


def cpio_entry(name: str, mode: int, data: bytes = b"", rdev: tuple = (0, 0), inode: int = 0) -> bytes:
    """One record of the kernel's initramfs format, cpio "newc": a 110-byte ASCII header, the name,
    the data, each padded to four bytes."""
    encoded = name.encode() + b"\0"
    fields = [inode, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0]
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    record = header + encoded
    record += b"\0" * (-len(record) % 4) + data
    return record + b"\0" * (-len(record) % 4)


def busybox_entries() -> list:
    """Debian's busybox-static as /bin/busybox and its applet links, with their folders, as
    (name, mode, data, rdev) records for write_cpio."""
    entries = [("bin", 0o040755, b"", (0, 0)), ("bin/busybox", 0o100755, BUSYBOX.read_bytes(), (0, 0))]
    applets = subprocess.run([str(BUSYBOX), "--list-full"], capture_output=True, text=True, check=True).stdout
    directories = {"bin"}
    for path in applets.split():
        if path == "bin/busybox":
            continue
        parent = path.rsplit("/", 1)[0]
        for depth in range(1, parent.count("/") + 2):
            directory = "/".join(parent.split("/")[:depth])
            if directory not in directories:
                directories.add(directory)
                entries.append((directory, 0o040755, b"", (0, 0)))
        entries.append((path, 0o120777, b"/bin/busybox", (0, 0)))
    return entries


def write_cpio(entries: list, output: Path) -> Path:
    """An initramfs of (name, mode, data, rdev) records."""
    archive = b"".join(cpio_entry(name, mode, data, rdev, inode)
                       for inode, (name, mode, data, rdev) in enumerate(entries, 1))
    archive += cpio_entry("TRAILER!!!", 0)
    output.write_bytes(archive + b"\0" * (-len(archive) % 512))
    return output


def write_initramfs(program: Path, output: Path) -> Path:
    """/init is the benchmark; /dev/console is where the kernel opens init's standard streams; /sys
    is where the program mounts sysfs after measuring. The shell macrobenchmark's script and
    Debian's busybox-static with its applet links (as Tern's personality has them, from
    tools/linux_run.py), /dev/null and /tmp are there for its script."""
    entries = [("dev", 0o040755, b"", (0, 0)), ("dev/console", 0o020600, b"", (5, 1)),
               ("dev/null", 0o020666, b"", (1, 3)), ("tmp", 0o041777, b"", (0, 0)),
               ("sys", 0o040755, b"", (0, 0)), ("proc", 0o040755, b"", (0, 0)),
               ("init", 0o100755, program.read_bytes(), (0, 0)),
               ("macro.sh", 0o100644, MACRO_SCRIPT.read_bytes(), (0, 0)),
               ] + busybox_entries()
    return write_cpio(entries, output)


def boot(kernel: Kernel, initramfs: Path, mode: str) -> Run:
    command = ["qemu-system-x86_64", "-display", "none", "-nic", "none", "-no-reboot", "-m", "256",
               "-serial", "stdio", "-monitor", "none", "-kernel", str(kernel.boot_image), "-initrd", str(initramfs),
               "-append", KERNEL_ARGUMENTS] + MODES[mode][0]
    start = time.monotonic()
    try:
        process = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                 timeout=RUN_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
        output = process.stdout + process.stderr
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode(errors="replace") if isinstance(expired.stdout, bytes) \
            else (expired.stdout or "")
        raise RuntimeError(f"Linux did not power off within {RUN_TIMEOUT_SECONDS} s under {mode}:\n{output[-3000:]}")
    wall = time.monotonic() - start
    if not re.search(r"^BENCH done\r?$", output, re.MULTILINE):
        raise RuntimeError(f"the benchmark did not finish under {mode}:\n{output[-3000:]}")
    figures = {name: int(value) for name, value in re.findall(r"^BENCH (linux\.\S+) (\d+)\r?$", output, re.MULTILINE)}
    info = [line.rstrip("\r") for line in re.findall(r"^INFO (.*)$", output, re.MULTILINE)]
    started = re.search(r"^INFO linux\.init_started_at (\d+)", output, re.MULTILINE)
    return Run(mode, figures, info, int(started.group(1)) if started else 0, wall)


def prepare(build: Path) -> tuple:
    """Kernel and initramfs, built or fetched as needed."""
    ensure_packages()
    cache = build / "linux"
    kernel = fetch_kernel(cache)
    program = build_program(cache / "init")
    return kernel, write_initramfs(program, cache / "initramfs.cpio")


def measure(build: Path, modes: list, tcg_runs: int = 5) -> dict:
    """Everything one invocation measures, as the JSON document --json writes."""
    kernel, initramfs = prepare(build)
    runs = []
    load = []
    for mode in modes:
        for _ in range(1 if mode == "icount" else tcg_runs):
            runs.append(boot(kernel, initramfs, mode))
            load.append(os.getloadavg()[0])
    figures = []
    for mode in modes:
        mode_runs = [run for run in runs if run.mode == mode]
        for name in mode_runs[0].figures:
            values = [run.figures.get(name) for run in mode_runs]
            if None in values:
                raise RuntimeError(f"{name} is missing from a run under {mode}")
            figures.append(Figure(name, int(statistics.median(values)), MODES[mode][1], mode, values, min(values)))
    icount = next((run for run in runs if run.mode == "icount"), None)
    return {
        "kernel": {"package": kernel.package, "version": kernel.version, "image": kernel.image.name,
                   "booted": kernel.boot_image.name,
                   "arguments": KERNEL_ARGUMENTS},
        "info": runs[0].info,
        "boot_instructions_to_init": icount.init_started_at if icount else None,
        # Plain TCG measures host time: with the host's processors busy the figures grow.
        "runs": [{"mode": run.mode, "wall_seconds": round(run.wall_seconds, 2), "host_load_after": round(load, 2)}
                 for run, load in zip(runs, load)],
        "host_processors": os.cpu_count(),
        "figures": [asdict(figure) for figure in figures],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=Path)
    parser.add_argument("--mode", choices=["icount", "tcg", "both"], default="both")
    parser.add_argument("--tcg-runs", type=int, default=5, help="boots under plain TCG; the median is reported")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    modes = ["icount", "tcg"] if args.mode == "both" else [args.mode]
    start = time.monotonic()
    try:
        results = measure(args.build.resolve(), modes, args.tcg_runs)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"linux_bench: {error}", file=sys.stderr)
        return 1
    print(f"# {results['kernel']['package']} {results['kernel']['version']}, "
          f"append \"{results['kernel']['arguments']}\"")
    if results["boot_instructions_to_init"]:
        print(f"# boot to /init under -icount: {results['boot_instructions_to_init']} guest ticks "
              f"(instructions plus idle time skipped)")
    for figure in results["figures"]:
        print(f"BENCH {figure['name']} {figure['value']} {figure['unit']} {figure['mode']}")
    for run in results["runs"]:
        print(f"# {run['mode']} run: {run['wall_seconds']} s, then host load average {run['host_load_after']} "
              f"on {results['host_processors']} processors")
    print(f"# total {time.monotonic() - start:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
