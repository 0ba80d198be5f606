# SPDX-License-Identifier: MIT
"""The boot-level tests: each boots the kernel once and checks its serial log and how it
ended. Ids are stable; add new tests at the end of their group."""
import hashlib
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import network_host
from emulators import Step

ROOT = Path(__file__).resolve().parents[2]

MODULES = [("boot/welcome.txt", "greeting=hello"), ("boot/grub.cfg", "two words")]


@dataclass
class Boot_test:
    test_id: str
    description: str
    command_line: str = "shutdown"
    expect: list = field(default_factory=list)   # regexes that must match a line of the log
    forbid: list = field(default_factory=list)   # regexes that must not match
    expect_failure: bool = False                 # the kernel must stop with an exception or panic
    expect_exit: str = "success"                 # how a run without exception or panic must end
    modules: list = field(default_factory=list)
    memory: str = "128M"
    image: str = "kernel"                        # kernel (QEMU -kernel) or iso (GRUB)
    emulator: str = "qemu"                       # qemu, bochs or gdb
    qemu_args: tuple = ()
    timeout: int = 60
    suite: bool = False                          # the log carries in-system test results (SYSTEST lines)
    iso_name: str = "tern-test.iso"               # the ISO an iso-image test boots
    script: list = field(default_factory=list)   # Steps typed into the serial port (interactive QEMU)
    long_paths: bool = False                     # modules reached through paths of over 255 characters
    # An interactive test's host side: a context manager entered before QEMU starts and left after it
    # ended (a server the guest reaches through guestfwd), yielding {NAME: port} for {port:NAME} in
    # qemu_args; every other {port:NAME} is a free port on 127.0.0.1 chosen when the test runs.
    host_services: Optional[Callable] = None


def fault(test_id, kind, description, *expect):
    return Boot_test(test_id, description, command_line=f"shutdown ticks=0 fault={kind}",
                     expect=list(expect), expect_failure=True)


# {build} is the build directory the harness runs against.
SYSTEM_MODULES = [("{build}/sigma0/sigma0", ""), ("{build}/tests/system/roottask", "")]


def system_modules(arguments: str) -> list:
    """The in-system suite's modules with arguments for its root task ("only=IPC0007,MDB00")."""
    return [(path, arguments if path.endswith("/roottask") else args) for path, args in SYSTEM_MODULES]


# The normal boot's modules (boot/meson.build), for -kernel boots of the whole system.
# The kernel's report of the deepest kernel-stack use (thread.cpp), at most 2733 bytes.
DEEPEST_STACK_WITHIN_BOUND = (r"^kernel memory: per thread 4096 bytes \(control block \d+, kernel stack 3216\), deepest "
                              r"stack use ([0-9]{1,3}|1[0-9]{3}|2[0-6][0-9]{2}|27[0-2][0-9]|273[0-3]) bytes$")
SHELL_PROGRAMS = ["console", "shell", "hello", "spin", "fault", "systest", "conbench"]
NORMAL_MODULES = ([("{build}/sigma0/sigma0", ""), ("{build}/servers/root/roottask", ""), ("boot/system.conf", ""),
                   ("{build}/servers/console/console", ""), ("{build}/servers/shell/shell", "")] +
                  [(f"{{build}}/servers/programs/{name}", "") for name in SHELL_PROGRAMS[2:]] +
                  [("{build}/servers/linux/linux", ""), ("{build}/servers/linux/linux-rootfs.cpio", "")])

# The real-time job (servers/programs/rtjob.cpp) alone, and beside the Linux personality's
# stress load (boot/realtime*.conf).
REALTIME_MODULES = [("{build}/sigma0/sigma0", ""), ("{build}/servers/root/roottask", "config=realtime.conf"),
                    ("boot/realtime.conf", ""), ("{build}/servers/console/console", ""),
                    ("{build}/servers/programs/rtjob", "")]
REALTIME_LINUX_MODULES = ([(p, "config=realtime-linux.conf" if p.endswith("/roottask") else a)
                           for p, a in REALTIME_MODULES] +
                          [("boot/realtime-linux.conf", ""), ("{build}/servers/linux/linux", ""),
                           ("{build}/servers/linux/linux-stress.cpio", "")])
RT_LINE = r"^RT period 1000 samples 2000 faults 0 late_us worst \d+ p99 \d+ p50 \d+ mean \d+$"

# The Linux personality's boot test: boot/linux-test.conf, and busybox from the host's
# busybox-static package (./tern deps installs it).
LINUX_MODULES = [("{build}/sigma0/sigma0", ""), ("{build}/servers/root/roottask", "config=linux-test.conf"),
                 ("boot/linux-test.conf", ""), ("{build}/servers/console/console", ""),
                 ("{build}/servers/linux/linux", ""), ("{build}/servers/linux/linux-test.cpio", "")]

PROMPT = r"^tern> "

# Typed into the shell of the normal boot, in this order; each step is one result.
SHELL_STEPS = [
    Step("SHELL0001", "the normal boot lands at the shell prompt", "", [r"^Tern shell; type help", PROMPT]),
    Step("SHELL0002", "help lists the commands", "help\r",
         [r"^help$", r"^  ps +threads", r"^  mem +memory", r"^  run MODULE", r"^  test ", r"^  bench ", PROMPT]),
    Step("SHELL0003", "typed characters come back through the console server (echo), backspace erases",
         "echo typed thro\x7f\x7f\x7fhrough the console\r",
         [r"^echo typed thro", r"^typed through the console$", PROMPT]),
    Step("SHELL0004", "ps lists sigma0, root, the servers and the shell's second thread with their modes (the "
         "shell in ring 0), and the kernel memory per thread (4096 bytes)", "ps\r",
         [r"^  THREAD +PRIO +STATE +KIND +MODE", r"^  20000000001 +255 .* sigma0 +ring3 +- +sigma0$",
          r"^  [0-9a-f]+ +255 .* root +ring3 .* root$",
          r"^  [0-9a-f]+ +200 +\S+ +server +ring3 .* console$", r"^  [0-9a-f]+ +150 +\S+ +server +ring0 .* shell$",
          r"^  [0-9a-f]+ +150 +\S+ +thread +ring0 .* shell$",
          r"^kernel memory per thread: 4096 bytes \(control block and kernel stack\)$", PROMPT]),
    Step("SHELL0005", "mem shows the KIP's memory descriptors and what root handed out", "mem\r",
         [r"^KIP memory descriptors:$", r"^  \[0x[0-9a-f]+, 0x[0-9a-f]+\] +\d+ KiB conventional$",
          r"^sigma0 owns \d+ KiB$", r"^root got \d+ KiB from sigma0 for tasks; \d+ tasks use \d+ KiB", PROMPT]),
    Step("SHELL0006", "run starts a boot module with arguments and reports its exit status", "run hello a b c\r",
         [r'^hello from thread [0-9a-f]+, arguments "a b c"$', r"^\[hello: exit status 0\]$", PROMPT]),
    Step("SHELL0007", "an unknown command gets an error and the shell goes on", "frobnicate now\r",
         [r'^shell: unknown command "frobnicate"; type help', PROMPT]),
    Step("SHELL0008", "run of a module that does not exist is an error", "run nosuchthing\r",
         [r'^run: no boot module "nosuchthing"$', PROMPT]),
    Step("SHELL0009", "a faulting task is ended by root and reported; the shell goes on", "run fault\r",
         [r"^root: fault: page fault outside its memory at 0", r"^\[fault: ended by the root task after a fault\]$",
          PROMPT]),
    Step("SHELL0025", "linux runs a busybox command line under the Linux personality and reports its exit status",
         "linux sh -c 'echo from busybox | tr a-z A-Z; ls /bin | grep -c busybox; exit 5'\r",
         [r"^FROM BUSYBOX$", r"^1$", r"^\[linux: exit status 5\]$", PROMPT], timeout=60),
    Step("SHELL0026", "linux with a program that is not there reports it and status 127; the shell goes on",
         "linux nosuchprogram\r",
         [r"^linux: cannot run nosuchprogram \(error 2\)$", r"^\[linux: exit status 127\]$", PROMPT], timeout=60),
    Step("SHELL0027", "linux sh (an interactive busybox shell) reads commands typed at the console and prompts for them",
         "linux sh\r",
         [r"# $"], timeout=60),
    Step("SHELL0028", "... which edits the line itself on the terminal in raw mode (backspace erases); the line runs "
         "with its pipe and its output comes back",
         "echo $((6*7)) | tr 2 9X\x7f\r", [r"echo \$\(\(6\*7\)\) \| tr 2 9X\x08", r"^49$", r"# $"], timeout=60),
    Step("SHELL0030", "... the console is its terminal: isatty is true, stty shows canonical mode and signal keys",
         "test -t 0 && test -t 1 && echo on a terminal; stty -a | grep -c 'isig icanon'\r",
         [r"^on a terminal$", r"^1$", r"# $"], timeout=60),
    Step("SHELL0031", "... a foreground job gets the terminal back in canonical mode", "sh -c 'echo ready; exec cat'\r",
         [r"^ready$"], timeout=60),
    Step("SHELL0032", "... a line typed to it is echoed by the terminal and read when Enter ends it", "hello\r",
         [r"^hello\nhello$"], timeout=60),
    Step("SHELL0033", "... Ctrl-C echoes ^C and sends SIGINT to the foreground job only: the shell prompts again",
         "\x03", [r"\^C", r"# $"], timeout=60),
    Step("SHELL0034", "... and the job's status says SIGINT ended it", "echo status $?\r", [r"^status 130$", r"# $"],
         timeout=60),
    Step("SHELL0035", "... job control: another foreground job", "sh -c 'echo ready; exec cat'\r", [r"^ready$"],
         timeout=60),
    Step("SHELL0036", "... Ctrl-Z stops it (SIGTSTP); the shell reports it stopped and prompts", "\x1a",
         [r"Stopped +sh -c", r"# $"], timeout=60),
    Step("SHELL0037", "... jobs lists it", "jobs\r", [r"^\[1\]\+ +Stopped +sh -c", r"# $"], timeout=60),
    Step("SHELL0038", "... fg continues it in the foreground (SIGCONT)", "fg\r", [r'^sh -c "echo ready; exec cat"$'],
         timeout=60),
    Step("SHELL0039", "... where it reads the terminal again", "again\r", [r"^again\nagain$"], timeout=60),
    Step("SHELL0040", "... and Ctrl-C ends it", "\x03", [r"# $"], timeout=60),
    Step("SHELL0041", "... a background job that reads the terminal is stopped (SIGTTIN)", "cat & sleep 2; jobs\r",
         [r"Stopped \(tty input\) +cat", r"# $"], timeout=60),
    Step("SHELL0042", "... fg brings it to the foreground", "fg\r", [r"^cat$"], timeout=60),
    Step("SHELL0043", "... where its read goes on", "more\r", [r"^more\nmore$"], timeout=60),
    Step("SHELL0044", "... and Ctrl-C ends it", "\x03", [r"# $"], timeout=60),
    Step("SHELL0029", "... and exit ends it with its status, back at the native shell", "exit 3\r",
         [r"^\[linux: exit status 3\]$", PROMPT], timeout=60),
    Step("SHELL0010", "Ctrl-C typed during run ends the task", "run spin\r",
         [r"^spin: round 2$"]),
    Step("SHELL0011", "... and the shell reports it interrupted", "\x03", [r"^\[spin: interrupted\]$", PROMPT]),
    Step("SHELL0015", "Ctrl-C at the prompt prints ^C and a new prompt", "echo never\x03",
         [r"never\^C$", r"^tern> $"]),
    Step("SHELL0016", "... and the line typed before it is dropped", "echo after\r",
         [r"^(tern> )?echo after$", r"^after$", PROMPT]),
    Step("SHELL0017", "systest input waits for a typed line", "run systest input\r", [r"^TEST type a line$"]),
    Step("SHELL0018", "... which arrives intact while another thread keeps asking; the console counted interrupts",
         "typed while busy\r",
         [r'^TEST input line "typed while busy" \([1-9]\d* requests', r"^TEST console mode 0, [1-9]\d* interrupts",
          r"^TEST done \d+ passed, 0 failed$", r"^\[systest: exit status 0\]$", PROMPT]),
    Step("SHELL0012", "test runs the system test module: all pass", "test\r",
         [r"^TEST done \d+ passed, 0 failed$", r"^\[systest: exit status 0\]$", PROMPT], timeout=60),
    Step("SHELL0013", "bench runs the console throughput benchmark", "bench\r",
         [r"^BENCH console throughput, \d+ KiB in \d+ us: \d+ bytes/s$", r"^\[conbench: exit status 0\]$", PROMPT],
         timeout=60),
    Step("SHELL0014", "shutdown stops the machine", "shutdown\r", [r"^root: shutdown asked by shell$"]),
]

# The same system with the console polling COM1 (no irq= grant) and systest started as a
# server granted ports 0x80/8 (tests/data/system-polled.conf).
POLLED_MODULES = ([(path, "config=system-polled.conf" if path.endswith("roottask") else args)
                   for path, args in NORMAL_MODULES if not path.endswith(".conf")] +
                  [("tests/data/system-polled.conf", "")])
# The run command's first boot entry (boot/linux.conf): busybox's sh as a login shell on the
# Linux personality, driven at the serial console like a person; each step is one result.
LINUX_SHELL_MODULES = ([(path, "config=linux.conf" if path.endswith("/roottask") else arguments)
                        for path, arguments in NORMAL_MODULES] + [("boot/linux.conf", "")])
LX_PROMPT = r"~ # $"
LINUX_SHELL_STEPS = [
    Step("LXI0001", "the Linux boot lands in busybox's sh, a login shell in root's home", "",
         [r"^BusyBox v1\.\d+", LX_PROMPT], timeout=60),
    Step("LXI0002", "... which leads the console's session, the console its controlling terminal (/proc/PID/stat: "
         "session 1, tty (5,1), foreground group 1) and an 80x24 terminal",
         "set -- $(cat /proc/$$/stat); echo pid $1 session $6 tty $7 foreground $8 args $(cat /proc/$$/cmdline); stty size\r",
         [r"^pid 1 session 1 tty 1281 foreground 1 args -sh$", r"^24 80$", LX_PROMPT], timeout=60),
    Step("LXI0003", "... a pipeline runs", "echo one two three | wc -w\r", [r"^3$", LX_PROMPT], timeout=60),
    Step("LXI0004", "... Ctrl-C interrupts sleep 100 in the foreground, not the shell", "echo go; sleep 100\r",
         [r"^go$"], timeout=60),
    Step("LXI0005", "... (Ctrl-C)", "\x03", [r"\^C", LX_PROMPT], timeout=60),
    Step("LXI0006", "... whose status says SIGINT", "echo status $?\r", [r"^status 130$", LX_PROMPT], timeout=60),
    Step("LXI0007", "... Ctrl-Z stops a foreground job", "echo go; sleep 100\r", [r"^go$"], timeout=60),
    Step("LXI0008", "... (Ctrl-Z)", "\x1a", [r"Stopped +sleep 100$", LX_PROMPT], timeout=60),
    Step("LXI0009", "... bg continues it in the background, jobs says it runs", "bg; jobs\r",
         [r"^\[1\]\+ +Running +sleep 100$", LX_PROMPT], timeout=60),
    Step("LXI0010", "... ps lists it beside the shell, with their command lines", "ps\r",
         [r"^ +1 root +-sh$", r"^ +\d+ root +sleep 100$", LX_PROMPT], timeout=60),
    Step("LXI0011", "... kill %1 ends it (SIGTERM)", "kill %1; wait %1; echo after $?\r",
         [r"Terminated +sleep 100$", r"^after 143$", LX_PROMPT], timeout=60),
    Step("LXI0012", "... fg brings a stopped job back to the foreground, where Ctrl-C ends it",
         "echo go; sleep 200\r", [r"^go$"], timeout=60),
    Step("LXI0013", "... (Ctrl-Z, then fg)", "\x1a", [r"Stopped +sleep 200", LX_PROMPT], timeout=60),
    Step("LXI0014", "... (fg)", "fg\r", [r"^sleep 200$"], timeout=60),
    Step("LXI0015", "... (Ctrl-C)", "\x03", [r"\^C", LX_PROMPT], timeout=60),
    Step("LXI0016", "vi edits a file in raw mode: insert text", "vi note.txt\r", [r"note\.txt"], timeout=60),
    Step("LXI0017", "... (typed in insert mode)", "ihello world", [r"hello ?world"], timeout=60),
    Step("LXI0018", "... (Esc leaves insert mode)", "\x1b", [r"\[Modified\]"], timeout=60),
    Step("LXI0019", "... five cursor-left keys (ESC [ D) move back to the space", "\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D",
         [r"\Z"], timeout=60),
    Step("LXI0020", "... where text is appended (vi redraws the rest of the line after each key)", "abig ",
         [r"bworld", r"gworld"], timeout=60),
    Step("LXI0021", "... (Esc)", "\x1b", [r"\[Modified\]"], timeout=60),
    Step("LXI0022", "... and :wq saves it", ":wq\r", [r"'note\.txt' 1L, 16C", LX_PROMPT], timeout=60),
    Step("LXI0023", "... with what was typed", "cat note.txt\r", [r"^hello big world$", LX_PROMPT], timeout=60),
    Step("LXI0024", "less shows a file a screen at a time", "seq 1 100 > numbers; less numbers\r",
         [r"^23$"], timeout=60),
    Step("LXI0025", "... space shows the next screen", " ", [r"^46$"], timeout=60),
    Step("LXI0026", "... and q quits", "q", [LX_PROMPT], timeout=60),
    Step("LXI0027", "top shows one screen (memory, load, processes) and q quits it", "top\r",
         [r"^Mem: \d+K used, \d+K free", r"^Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$",
          r"^ +1 +0 root +S .* -sh$", r" top$"], timeout=60),
    Step("LXI0028", "... (q)", "q", [LX_PROMPT], timeout=60),
    Step("LXI0029", "free shows the personality's memory (its 128 MiB pool)", "free\r",
         [r"^Mem: +131072 +\d+ +\d+ +\d+ +\d+ +\d+$", r"^Swap: +0 +0 +0$", LX_PROMPT], timeout=60),
    Step("LXI0030", "uptime shows the time and load; date is the CMOS clock's", "uptime; date +%Y\r",
         [r"up +\d+ min, +0 users, +load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$",
          rf"^{time.gmtime().tm_year}$", LX_PROMPT], timeout=60),
    Step("LXI0031", "df and mount show the root file system and /proc", "df; mount\r",
         [r"^tmpfs +131072 +\d+ +\d+ +\d+% /$", r"^tmpfs on / type tmpfs \(rw\)$",
          r"^proc on /proc type proc \(rw,nosuid,nodev,noexec\)$", LX_PROMPT], timeout=60),
    Step("LXI0032", "dmesg shows the kernel's lines and the servers', not the programs' output",
         "echo marker-line; echo k=$(dmesg | grep -c 'microkernel (x86-64)$') s=$(dmesg | grep -c '^console: serving') "
         "p=$(dmesg | grep -c marker-line)\r", [r"^k=1 s=1 p=0$", LX_PROMPT], timeout=60),
    Step("LXI0033", "raw mode with VMIN 0 and VTIME 10: a read with nothing typed ends empty after a second",
         "stty -icanon min 0 time 10; dd bs=1 count=1 2>/dev/null | wc -c; stty icanon min 1 time 0\r",
         [r"^0$", LX_PROMPT], timeout=60),
    Step("LXI0034", "raw mode with VMIN 3: a read waits for three bytes",
         "stty -icanon -echo min 3 time 0; echo ready; dd bs=8 count=1 2>/dev/null | wc -c; stty icanon echo min 1\r",
         [r"^ready$"], timeout=60),
    Step("LXI0035", "... (two typed: still waiting)", "ab", [r"\Z"], timeout=60),
    Step("LXI0036", "... (the third: all three read at once)", "c", [r"^3$", LX_PROMPT], timeout=60),
    Step("LXI0037", "raw mode with VMIN 5 and VTIME 5: the read ends half a second after the last byte typed",
         "stty -icanon -echo min 5 time 5; echo ready; dd bs=8 count=1 2>/dev/null | wc -c; stty icanon echo min 1\r",
         [r"^ready$"], timeout=60),
    Step("LXI0038", "... (two typed, then nothing)", "xy", [r"^2$", LX_PROMPT], timeout=60),
    Step("LXI0039", "in canonical mode (head reading a line), ^R shows the line typed so far again",
         "echo go; head -1\r", [r"^go$"], timeout=60),
    Step("LXI0040", "... (ab, ^R, cd, Enter)", "ab\x12cd\r", [r"^ab\^R$", r"^abcd$", LX_PROMPT], timeout=60),
    Step("LXI0041", "a stopped job whose group the exit of its parent orphans gets SIGHUP and SIGCONT, and ends",
         "sh -c 'sleep 100 & p=$!; kill -STOP $p; until grep -q \"^State:.T\" /proc/$p/status; do :; done; echo $p > "
         "/tmp/p'; sleep 1; test -e /proc/$(cat /tmp/p) && echo still there || echo hung up\r", [r"^hung up$", LX_PROMPT],
         timeout=60),
    Step("LXI0042", "exit ends the login shell and stops the machine", "exit\r",
         [r"^linux: sh \(pid 1\) ended, exit status 0$", r"^root: shutdown asked by linux$"], timeout=60),
]

# The normal boot with two network cards QEMU emulates (their user networks restricted: no
# packet leaves the emulator): lspci shows what root's walk of configuration space found.
PCI_NICS = ("-netdev", "user,id=net0,restrict=on", "-device", "e1000,netdev=net0",
            "-netdev", "user,id=net1,restrict=on", "-device", "virtio-net-pci,netdev=net1")
PCI_STEPS = [
    Step("PCI0001", "the shell's prompt, after root found the PCI functions", "", [PROMPT]),
    Step("PCI0002", "lspci lists QEMU's host bridge, an e1000 with its memory and I/O BARs and interrupt line, "
         "and a virtio network card", "lspci\r",
         [r"^00:00\.0 Host bridge \[0600\]: 8086:1237 ",
          r"^00:0[0-9a-f]\.0 Ethernet controller \[0200\]: 8086:100e \(rev 03\), irq \d+ \(INTA\)$",
          r"^        BAR0: memory at 0xfe[0-9a-f]{6} \(32-bit, 128 KiB\)$",
          r"^        BAR1: I/O ports at 0x[0-9a-f]+ \(64 ports\)$",
          r"^00:0[0-9a-f]\.0 Ethernet controller \[0200\]: 1af4:1000 ",
          r"^        BAR4: memory at 0x[0-9a-f]+ \(64-bit, prefetchable, 16 KiB\)$",
          r"^[5-9] PCI functions$", PROMPT]),
    Step("PCI0003", "shutdown stops the machine", "shutdown\r", [r"^root: shutdown asked by shell$"]),
]

# The normal boot with the network card's driver and a virtio network card on QEMU's user
# network (restrict=on: its gateway answers, nothing leaves the emulator).
NETWORK_MODULES = ([(path, "config=system-network.conf" if path.endswith("roottask") else args)
                    for path, args in NORMAL_MODULES if not path.endswith(".conf")] +
                   [("tests/data/system-network.conf", ""), ("{build}/servers/nic/nic", ""),
                    ("{build}/servers/net/net", "")])
NETWORK_CARD = ("-netdev", "user,id=net0,restrict=on", "-device", "virtio-net-pci,netdev=net0")
NETWORK_STEPS = [
    Step("NIC0001", "the driver started the card (its ports, interrupt and QEMU's MAC address); the network server "
         "got its address by DHCP (restrict=on: no gateway) and the DHCP server's MAC by ARP, frames through driver and server both ways", "",
         [r"^nic: virtio-net at ports 0x[0-9a-f]+, interrupt 24 \(MSI-X\), MAC 52:54:00:12:34:56$",
          r"net: DHCP, address 10\.0\.2\.15 mask 255\.255\.255\.0 gateway none$",
          r"^net: 10\.0\.2\.2 is at 52:55:0a:00:02:02 \(ARP; \d+ frames in, \d+ out\)$"]),
    Step("NIC0002", "ps lists the driver's task and the interrupt thread attached for it: the first message-signalled "
         "line, 24 (root turned the card's MSI-X on and pointed its entry 0 there)", "ps\r",
         [r"^  [0-9a-f]+ +160 +\S+ +server +ring3 .* nic$", r"^  [0-9a-f]+ .* irq .* nic \(line 24, handler", PROMPT]),
    Step("NIC0003", "shutdown stops the machine", "shutdown\r", [r"^root: shutdown asked by shell$"]),
]
# The same card without MSI-X (vectors=0): the driver gets its pin, line 11, level-triggered.
NETWORK_PIN_CARD = ("-netdev", "user,id=net0,restrict=on", "-device", "virtio-net-pci,netdev=net0,vectors=0")
NETWORK_PIN_STEPS = [
    Step("NIC0021", "without MSI-X the driver gets the card's pin, line 11, and DHCP and ARP work through it", "",
         [r"^nic: virtio-net at ports 0x[0-9a-f]+, interrupt 11, MAC 52:54:00:12:34:56$",
          r"net: DHCP, address 10\.0\.2\.15 mask 255\.255\.255\.0 gateway none$",
          r"^net: 10\.0\.2\.2 is at 52:55:0a:00:02:02 \(ARP; \d+ frames in, \d+ out\)$"]),
    Step("NIC0022", "ps lists the interrupt thread of line 11 attached for the driver", "ps\r",
         [r"^  [0-9a-f]+ .* irq .* nic \(line 11, handler", PROMPT]),
    Step("NIC0023", "shutdown stops the machine", "shutdown\r", [r"^root: shutdown asked by shell$"]),
]

# The network with the Linux personality (tests/data/linux-network.conf): busybox's sh of the
# run command's first entry, with the card's driver and the network server, on QEMU's user
# network with restrict=on, so that only the forwards below connect anything, and only on the
# host's 127.0.0.1: hostfwd from free ports chosen at run time ({port:http}, {port:nc}) to the
# guest's ports 80 and 7777, and guestfwd from 10.0.2.100 to an HTTP server the harness runs
# ({port:files}; each guestfwd carries one connection, so one rule per file fetched).
LINUX_NETWORK_MODULES = ([(path, "config=linux-network.conf" if path.endswith("roottask") else args)
                          for path, args in NORMAL_MODULES if not path.endswith(".conf")] +
                         [("tests/data/linux-network.conf", ""), ("{build}/servers/nic/nic", ""),
                          ("{build}/servers/net/net", "")])
LINUX_NETWORK_CARD = ("-netdev", "user,id=net0,restrict=on,"
                      "hostfwd=tcp:127.0.0.1:{port:http}-:80,hostfwd=tcp:127.0.0.1:{port:nc}-:7777,"
                      "hostfwd=udp:127.0.0.1:{port:udp}-:9999,"
                      "guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:{port:files},"
                      "guestfwd=tcp:10.0.2.100:81-tcp:127.0.0.1:{port:files}",
                      "-device", "virtio-net-pci,netdev=net0")
HOST_LINE = b"tern-net-test: a line the host serves\n"
HOST_MEGABYTE = random.Random(16).randbytes(1 << 20)
HOST_FILES = {"/file.txt": HOST_LINE, "/big.bin": HOST_MEGABYTE}
LINUX_NETWORK_STEPS = [
    Step("NET0001", "busybox's sh on the Linux personality with the network: the driver started the card, the "
         "network server got its address by DHCP and the DHCP server's MAC by ARP, and the shell prompts (the "
         "network server's lines may come after the prompt, on its line)", "",
         [r"^nic: virtio-net at ports 0x[0-9a-f]+, interrupt 24 \(MSI-X\), MAC 52:54:00:12:34:56$",
          r"net: DHCP, address 10\.0\.2\.15 mask 255\.255\.255\.0 gateway none$",
          r"net: 10\.0\.2\.2 is at 52:55:0a:00:02:02 \(ARP", r"^BusyBox v1\.\d+", r"~ # "], timeout=60),
    Step("NET0008", "/proc/pci (Linux 2.4's format) lists the PCI functions root found, the virtio card with its "
         "interrupt and ports", "cat /proc/pci\r",
         [r"^PCI devices found:$", r"^    Class 0200: PCI device 1af4:1000 \(rev 0\)\.$", r"^      IRQ 11\.$",
          r"^      I/O at 0x[0-9a-f]+ \[0x[0-9a-f]+\]\.$", LX_PROMPT], timeout=30),
    Step("NET0002", "busybox's httpd on Tern serves a page to the host's curl (hostfwd 127.0.0.1 to the guest's "
         "port 80; httpd listens before it goes to the background)",
         "mkdir -p /tmp/www && echo hello-from-tern > /tmp/www/index.html && httpd -p 80 -h /tmp/www\r",
         [LX_PROMPT], timeout=60, host=network_host.curl_fetch("http", "/index.html", b"hello-from-tern\n")),
    Step("NET0003", "busybox's wget on Tern fetches a file from an HTTP server on the host's 127.0.0.1 (guestfwd "
         "from 10.0.2.100)", "wget -O /tmp/got http://10.0.2.100/file.txt && cat /tmp/got\r",
         [r"^tern-net-test: a line the host serves$", LX_PROMPT], timeout=90),
    Step("NET0006", "... and 1 MiB from it whose MD5 is the host's",
         "wget -O /tmp/big http://10.0.2.100:81/big.bin && md5sum /tmp/big\r",
         [rf"^{hashlib.md5(HOST_MEGABYTE).hexdigest()}  /tmp/big$", LX_PROMPT], timeout=120),
    Step("NET0004", "busybox's nc on Tern listens (hostfwd to its port 7777): a line the host sends comes out on the "
         "console, a line typed into it reaches the host, and nc ends when the host closes", "nc -l -p 7777\r",
         [r"nc -l -p 7777$"], timeout=60,
         host=network_host.line_exchange("nc", "line-from-host", "reply-from-tern", LX_PROMPT)),
    Step("NET0007", "clients that reset their connections mid-download, others that connect and close at once, and "
         "3,000 datagrams to a port nobody listens on: then httpd still serves the page and all of a 4 MiB file",
         "dd if=/dev/zero of=/tmp/www/big bs=65536 count=64 2>/dev/null && echo made-big\r",
         [r"^made-big$", LX_PROMPT], timeout=120,
         host=network_host.abuse_then_fetch("http", "udp", "/index.html", b"hello-from-tern\n", 4 << 20)),
    Step("NET0005", "exit ends the login shell and stops the machine", "exit\r",
         [r"^linux: sh \(pid 1\) ended, exit status 0$", r"^root: shutdown asked by linux$"], timeout=60),
]

# The card on a wire whose other end is the test (tests/data/system-wire.conf): QEMU's socket
# netdev on a free port of 127.0.0.1, frames over TCP; the host plays the Ethernet peer.
WIRE_MODULES = ([(path, "config=system-wire.conf" if path.endswith("roottask") else args)
                 for path, args in NORMAL_MODULES if not path.endswith(".conf")] +
                [("tests/data/system-wire.conf", ""), ("{build}/servers/nic/nic", ""), ("{build}/servers/net/net", "")])
WIRE_CARD = ("-netdev", "socket,id=net0,listen=127.0.0.1:{port:wire}", "-device", "virtio-net-pci,netdev=net0")
WIRE_STEPS = [
    Step("NIC0011", "the network server takes its static address from its arguments", "",
         [r"net: static, address 10\.0\.3\.2 mask 255\.255\.255\.0 gateway 10\.0\.3\.1$"], timeout=60),
    Step("NIC0012", "the host on the guest's Ethernet: ARP finds it, ten pings come back with their payloads, "
         "malformed frames (a runt, bad IP and ICMP checksums, an IP length beyond the frame, 200 frames of random "
         "bytes) are not answered, and after a flood of 3,000 pings five more are answered", "",
         [], timeout=120, host=network_host.ethernet_peer("wire", "10.0.3.2")),
    Step("NIC0013", "netstat: the network server counted frames in and out and what it dropped", "netstat\r",
         [r"^frames in \d{3,}, out \d{2,}; dropped [1-9]\d*; sockets open 0$", PROMPT]),
    Step("NIC0014", "shutdown stops the machine", "shutdown\r", [r"^root: shutdown asked by shell$"]),
]

# The network server's socket protocol from a native client (tests/data/network-protocol.conf):
# servers/programs/nettest.cpp attaches with notices and checks the protocol over 127.0.0.1,
# one SYSTEST line a check (NETP0001-NETP0019, each one result), then stops the machine. The
# card is there because the network server needs its driver; no frame has to leave the guest.
NETWORK_PROTOCOL_MODULES = [("{build}/sigma0/sigma0", ""),
                            ("{build}/servers/root/roottask", "config=network-protocol.conf"),
                            ("tests/data/network-protocol.conf", ""), ("{build}/servers/console/console", ""),
                            ("{build}/servers/nic/nic", ""), ("{build}/servers/net/net", ""),
                            ("{build}/servers/programs/nettest", "")]
NETWORK_PROTOCOL_CHECKS = 19

POLLED_STEPS = [
    Step("SHELL0021", "with a polled console the shell lands at the prompt; systest maps single granted ports",
         "", [r"^Tern shell; type help", r"TEST ok IOP0101 ", r"TEST done 4 passed, 0 failed$", PROMPT]),
    Step("SHELL0022", "systest input waits for a typed line (polled console)", "run systest input\r",
         [r"^TEST type a line$"]),
    Step("SHELL0023", "... which arrives intact while another thread keeps asking the polled console",
         "polled and busy\r",
         [r'^TEST input line "polled and busy" \([1-9]\d* requests', r"^TEST console mode 1, ",
          r"^TEST done \d+ passed, 0 failed$", r"^\[systest: exit status 0\]$", PROMPT]),
    Step("SHELL0024", "shutdown stops the machine (polled console)", "shutdown\r", [r"^root: shutdown asked by shell$"]),
]

BOOT_TESTS = [
    Boot_test("BOOT0001", "64-bit C++ reached with global constructors run",
              expect=[r"^Tern \d+\.\d+\.\d+ microkernel \(x86-64\)$", r"^global constructors: ran$"]),
    Boot_test("BOOT0002", "memory map reported",
              expect=[r"^memory map: \d+ regions$", r"^  \[0x000000100000, 0x[0-9a-f]{12}\) +\d+ KiB usable$",
                      r"^  \[.*\) +\d+ KiB reserved$"]),
    Boot_test("BOOT0003", "boot modules reported with names and command lines", modules=MODULES,
              expect=[r"^modules: 2$",
                      rf'^  module 0: boot/welcome\.txt \[0x[0-9a-f]+, 0x[0-9a-f]+\) {(ROOT / "boot/welcome.txt").stat().st_size} '
                      r'bytes, arguments "greeting=hello"$',
                      rf'^  module 1: boot/grub\.cfg \[.*\) {(ROOT / "boot/grub.cfg").stat().st_size} bytes, '
                      r'arguments "two words"$']),
    Boot_test("BOOT0004", "timer interrupts tick", command_line="shutdown ticks=5",
              expect=[r"^timer: local APIC at 100 Hz", r"^timer: tick 5 \(50 ms\)$"]),
    Boot_test("BOOT0005", "clean shutdown leaves QEMU with the success status",
              expect=[r"^boot complete: shutting down$", r"^exit: success$"]),
    Boot_test("BOOT0006", "page allocator hands out every free page and none outside usable memory",
              command_line="shutdown check=memory", modules=MODULES,
              expect=[r"^check=memory: passed, \d+ pages allocated and freed"]),
    Boot_test("BOOT0007", "memory above 4 GiB is managed and checked", command_line="shutdown check=memory",
              memory="4200M", expect=[r"^  \[0x000100000000, 0x[0-9a-f]{12}\) +\d+ KiB usable$",
                                      r"^physical memory: (4[0-9]{6}|[5-9][0-9]{6}) KiB free",
                                      r"^check=memory: passed"]),
    Boot_test("BOOT0008", "unknown boot options are reported and ignored", command_line="shutdown frobnicate=1",
              expect=[r'^warning: ignored unknown boot option "frobnicate=1"$', r"^boot complete"]),
    Boot_test("BOOT0009", "kernel page tables report their protections",
              expect=[r"^kernel page tables: active \(text RX, rodata R, data RW NX, no identity map\)$"]),

    Boot_test("BOOT0010", "a malformed ELF boot module is refused with a message and not run",
              modules=[("tests/data/malformed/sigma0", "")],
              expect=[r"^boot task tests/data/malformed/sigma0: refused, not a usable ELF64 executable: ",
                      r"^boot complete: shutting down$"], forbid=[r"^boot task .*: thread "]),
    Boot_test("BOOT0011", "bad lines of the boot configuration are reported and skipped", command_line="",
              modules=[(path, "config=system-bad.conf" if path.endswith("roottask") else args)
                       for path, args in NORMAL_MODULES if not path.endswith(".conf")] +
                      [("tests/data/system-bad.conf", "")],
              expect=[r'^root: system configuration line 3: a line must start with "server" or "program"; line skipped$',
                      r"^root: system configuration line 4: the server needs a name of 1 to 31 characters; line skipped$",
                      r"^root: system configuration line 5: priority must be 1 to 254; line skipped$",
                      r"^root: system configuration line 6: irq must be 0 to 23; line skipped$",
                      r"^root: system configuration line 7: ports must be BASE/COUNT within 0-0xffff; line skipped$",
                      r"^root: system configuration line 8: only pager=root is supported; line skipped$",
                      r"^root: system configuration line 9: unknown option; line skipped$",
                      r"^root: system-bad.conf names 3 servers$",
                      r"^root: cannot start nosuchmodule: no such boot module$",
                      r"^root: started console", r"^configuration survived$", r"^exit: success$"]),
    Boot_test("BOOT0012", "modules whose paths are over 255 characters boot, and their strings arrive whole",
              command_line="ticks=4", long_paths=True,
              modules=[(path, "config=system-long-paths.conf" if path.endswith("roottask") else args)
                       for path, args in NORMAL_MODULES if not path.endswith(".conf")] +
                      [("tests/data/system-long-paths.conf", "padding=" + "p" * 300)],
              expect=[r"^command line: /\S{255,}/tern\.elf32 ticks=4$", r"^timer: tick 4 \(40 ms\)$",
                      r"^  module 0: /\S{255,}/sigma0 \[", r"^boot task /\S{255,}/sigma0: thread ",
                      r"^boot task /\S{255,}/roottask: thread ",
                      r'^  module \d+: /\S{255,}/system-long-paths\.conf \[.*arguments "padding=p{300}"$',
                      r"^root: started console", r'^hello from thread [0-9a-f]+, arguments "from a long path"$',
                      r"^exit: success$"],
              forbid=[r"too long", r"boot complete: idle"]),
    Boot_test("BOOT0013", "an X.2 root task linked with ld -N (one unaligned writable segment) and its own crt0 "
              "calling __L4_Init boots and finds its data, bss and constructors right",
              command_line="", modules=[("{build}/sigma0/sigma0", ""), ("{build}/tests/x2/nmagic/roottask", "")],
              expect=[r"^boot task \S*/roottask: thread 0x[0-9a-f]+, entry 0x10[0-9a-f]{5}, image \[0x1000000, ",
                      r"^nmagic: KIP at 0x7fffffff0000", r"^nmagic: all checks passed$", r"^exit: success$"],
              forbid=[r"FAILED", r"refused"]),

    fault("FAULT0001", "null", "null dereference is caught, reported and fails the run",
          r"^KERNEL EXCEPTION: #PF page fault \(vector 14\), error code 0 \[not present, read, kernel\]$",
          r"cr2 0x0000000000000000$", r"^exit: failure$"),
    fault("FAULT0002", "write-text", "kernel text is write-protected",
          r"^KERNEL EXCEPTION: #PF page fault .*\[protection, write, kernel\]$"),
    fault("FAULT0003", "exec-data", "kernel data is not executable",
          r"^KERNEL EXCEPTION: #PF page fault .*\[protection, read, kernel, instruction fetch\]$"),
    fault("FAULT0004", "read-identity", "no identity map is left behind",
          r"^KERNEL EXCEPTION: #PF page fault .*\[not present, read, kernel\]$", r"cr2 0x0000000000100000$"),
    fault("FAULT0005", "stack-overflow", "stack overflow hits the guard page and is caught on the IST stack",
          r"^KERNEL EXCEPTION: #PF page fault \(vector 14\), error code 0x2 \[not present, write, kernel\]$"),
    fault("FAULT0006", "invalid-opcode", "invalid opcode is reported",
          r"^KERNEL EXCEPTION: #UD invalid opcode \(vector 6\)"),
    fault("FAULT0007", "divide", "divide error is reported", r"^KERNEL EXCEPTION: #DE divide error \(vector 0\)"),
    fault("FAULT0008", "breakpoint", "breakpoint in the kernel is reported",
          r"^KERNEL EXCEPTION: #BP breakpoint \(vector 3\)"),
    fault("FAULT0009", "panic", "panic prints its message and fails the run",
          r"^PANIC: deliberate panic \(fault=panic\)$", r"^exit: failure$"),
    fault("FAULT0010", "thread-stack-overflow", "a kernel stack that ran over its low end (its canary word "
          "overwritten) stops the kernel at the next thread switch, naming the thread",
          r"^PANIC: kernel stack overflow: thread 0 ran over the \d+ bytes of its kernel stack "
          r"\(canary 0\)$", r"^exit: failure$"),

    Boot_test("ISO0001", "GRUB ISO boots in QEMU with modules and checked memory", image="iso",
              expect=[r"^boot loader: GRUB", r"^memory map: \d+ regions$",
                      r'^  module 0: .*welcome\.txt \[.*\) \d+ bytes, arguments "greeting=hello"$',
                      r"^check=memory: passed", r"^boot task sigma0: thread 0x20000000001",
                      r"^boot info: \d+ modules for the root task",
                      r"^root: started console \(thread [0-9a-f]+, priority 200\)$",
                      r"^root: started shell \(thread [0-9a-f]+, priority 150\)$",
                      r'^hello from thread [0-9a-f]+, arguments "from the boot test"$',
                      r"^hello: the name service says console is [0-9a-f]+ \(status 0\)$",
                      r"^\[hello: exit status 0\]$", r"^  [0-9a-f]+ +200  \S+ +server .* console$",
                      r"^root got \d+ KiB from sigma0 for tasks", r"^TEST done \d+ passed, 0 failed$",
                      r"^kernel memory: thread: \d+ objects of 4096 bytes, \d+ pages in \d+ slabs$",
                      r"^kernel memory: fpu: \d+ objects of 512 bytes",
                      r"^kernel memory: per thread 4096 bytes \(control block \d+, kernel stack \d+\), "
                      r"deepest stack use \d+ bytes$",
                      r"^kernel memory: space: \d+ objects of \d+ bytes",
                      r"^kernel memory: mapping: \d+ objects of 32 bytes", r"^exit: success$"]),
    Boot_test("ISO0002", "the run command's ISO: GRUB's first entry, the default, boots busybox's sh (boot/linux.conf)",
              image="iso", iso_name="tern.iso", timeout=180,
              script=[Step("ISO0003", "... whose prompt comes on the serial console", "",
                           [r"Tern: busybox sh on the Linux personality", LX_PROMPT], timeout=90),
                      Step("ISO0004", "... where a command runs, and exit stops the machine", "uname -sr; exit\r",
                           [r"^Linux 6\.1\.0-tern$", r"^root: shutdown asked by linux$"], timeout=90)],
              expect=[r"^root: linux\.conf names 2 servers$", r"^exit: success$"]),
    Boot_test("ISO0005", "the run command's ISO: GRUB's second entry boots the native shell (boot/system.conf)",
              image="iso", iso_name="tern.iso", timeout=180,
              script=[Step("ISO0006", "... the menu shows both entries", "", [r"Tern: native shell"], timeout=90),
                      Step("ISO0007", "... Ctrl-N and Enter choose the second", "\x0e\r", [PROMPT], timeout=90),
                      Step("ISO0008", "... and shutdown stops the machine", "shutdown\r", [r"^exit: success$"],
                           timeout=60)],
              expect=[r"^root: system\.conf names 3 servers$", r"^exit: success$"]),
    Boot_test("BOCHS0001", "GRUB ISO boots in Bochs to C++ and reports the memory map", image="iso",
              emulator="bochs", timeout=180,
              expect=[r"^Tern \d+\.\d+\.\d+ microkernel", r"^boot loader: GRUB", r"^memory map: \d+ regions$",
                      r"^  \[0x000000100000, .*usable$", r"^check=memory: passed", r"^timer: tick 3",
                      r"^\[hello: exit status 0\]$", r"^TEST done \d+ passed, 0 failed$", r"^exit: success$"]),
    # -icount: guest time follows guest instructions, so the suite's timing tests (time
    # slices, timeouts) do not depend on how busy the host is.
    # After the suite the kernel reports the deepest kernel-stack use of any thread: it must
    # stay within the 85% of the stack (at most 2733 of 3216 bytes) that STACK0001 demands of
    # the static bound, which it cannot exceed when that analysis holds.
    Boot_test("SYSTEM0000", "the in-system test suite runs to its end as the root task", command_line="ticks=0",
              modules=SYSTEM_MODULES, suite=True, timeout=300, qemu_args=("-icount", "shift=0,sleep=off"),
              expect=[r"^SYSTEST done \d+ passed, 0 failed$", DEEPEST_STACK_WITHIN_BOUND, r"^exit: success$"]),
    # The same suite with IPC always on its general path: both paths must pass everything.
    # It runs the groups and their tests backwards, so a test that relies on what another
    # left behind fails in one of the two runs.
    Boot_test("SYSTEM0001", "the in-system test suite passes with IPC's direct path off (ipc=general), backwards",
              command_line="ticks=0 ipc=general", modules=system_modules("order=reverse"), timeout=300,
              qemu_args=("-icount", "shift=0,sleep=off"),
              expect=[r"^SYSTEST done \d+ passed, 0 failed$", DEEPEST_STACK_WITHIN_BOUND, r"^exit: success$"]),
    # The same suite with the root task, and so every child it makes, in ring 0 as kernel-mode
    # tasks (roottask=kernel): what runs in ring 3 must run the same in ring 0.
    # On a CPU with SMEP (-cpu max), which the kernel turns on: a kernel-mode task's code runs
    # in ring 0 from supervisor pages only, or its first instruction would fault.
    Boot_test("SYSTEM0003", "the in-system test suite passes with its test tasks in kernel mode (roottask=kernel), "
              "SMEP on", command_line="ticks=0 roottask=kernel", modules=SYSTEM_MODULES, timeout=300,
              qemu_args=("-icount", "shift=0,sleep=off", "-cpu", "max"),
              expect=[r"^SMEP: on$", r"^boot task .*roottask: .*, kernel mode \(ring 0\)$",
                      r"^systest: root task .*, in ring 0 \(kernel-mode tasks\)$",
                      r"^SYSTEST done \d+ passed, 0 failed$", DEEPEST_STACK_WITHIN_BOUND, r"^exit: success$"]),
    # The same suite on Bochs' CPU model: its results are not counted again, only that it passes there.
    Boot_test("BOCHS0002", "the in-system test suite passes in Bochs too", image="iso", emulator="bochs",
              iso_name="tern-system.iso", timeout=600,
              expect=[r"^SYSTEST done \d+ passed, 0 failed$", r"^exit: success$"]),
    # The boot-line filter: the selected tests and what they need run, nothing else; a
    # selection that names no test is a failure of the suite.
    Boot_test("SYSTEM0002", "the in-system suite runs only the tests its module arguments select (only=)",
              command_line="ticks=0", modules=system_modules("only=KIP0001,SIG0002,NOSUCH9999"), timeout=120,
              qemu_args=("-icount", "shift=0,sleep=off"), expect_exit="failure",
              expect=[r"^SYSTEST ok KIP0001 ", r"^SYSTEST ok SIG0001 ", r"^SYSTEST ok SIG0002 ",
                      r"^SYSTEST not ok NOSUCH9999 selected test: no test id starts with NOSUCH9999$",
                      r"^SYSTEST done 3 passed, 1 failed$", r"^exit: failure$"],
              forbid=[r"^SYSTEST (ok|not ok) (?!KIP0001 |SIG000[12] |NOSUCH9999 )"]),
    Boot_test("SHELL0000", "the normal boot's shell answers what is typed into the serial port",
              command_line="", modules=NORMAL_MODULES, timeout=180, script=SHELL_STEPS,
              expect=[r"^root: started console", r"^console: serving on COM1, interrupt-driven$", r"^exit: success$"],
              forbid=[r"^console: .*fallback"]),
    Boot_test("LXI0000", "the run command's first boot entry: busybox's sh on the console, used as a person would",
              command_line="", modules=LINUX_SHELL_MODULES, timeout=400, script=LINUX_SHELL_STEPS,
              expect=[r"^root: linux\.conf names 2 servers$", r"^exit: success$"]),
    Boot_test("PCI0000", "root walks PCI configuration space at boot: an e1000 and a virtio network card are found",
              command_line="", modules=NORMAL_MODULES, timeout=180, script=PCI_STEPS, qemu_args=PCI_NICS,
              expect=[r"^root: PCI: [5-9] functions$", r"^exit: success$"]),
    Boot_test("NIC0000", "the network card's driver: root hands it a virtio network card, it sends and receives",
              command_line="", modules=NETWORK_MODULES, timeout=180, script=NETWORK_STEPS, qemu_args=NETWORK_CARD,
              expect=[r"^root: system-network\.conf names 4 servers$", r"^exit: success$"]),
    Boot_test("NIC0020", "the network card's driver on a card without MSI-X: its pin's line, level-triggered",
              command_line="", modules=NETWORK_MODULES, timeout=180, script=NETWORK_PIN_STEPS,
              qemu_args=NETWORK_PIN_CARD,
              expect=[r"^root: system-network\.conf names 4 servers$", r"^exit: success$"]),
    Boot_test("NIC0010", "the network on a wire of its own: the host is the guest's Ethernet peer (QEMU's socket "
              "netdev on 127.0.0.1)", command_line="", modules=WIRE_MODULES, timeout=240, script=WIRE_STEPS,
              qemu_args=WIRE_CARD, expect=[r"^root: system-wire\.conf names 4 servers$", r"^exit: success$"]),
    Boot_test("NET0000", "the network with the Linux personality: busybox's httpd, wget and nc on Tern talk to the "
              "host's curl, an HTTP server and a socket on 127.0.0.1 through QEMU's forwards",
              command_line="", modules=LINUX_NETWORK_MODULES, timeout=180, script=LINUX_NETWORK_STEPS,
              qemu_args=LINUX_NETWORK_CARD,
              host_services=lambda: network_host.http_files("files", HOST_FILES),
              expect=[r"^root: linux-network\.conf names 4 servers$", r"^exit: success$"]),
    Boot_test("NETP0000", "the network server's socket protocol from a native client (servers/programs/nettest.cpp): "
              "ATTACH's errors, notices (changes on the replies' MR5-6, TERN_NET_CHANGED to the waiting attaching "
              "thread, else the EVENTS caller), keys, other threads, CLOSE; each SYSTEST line is one result",
              command_line="", modules=NETWORK_PROTOCOL_MODULES, suite=True, timeout=120, qemu_args=NETWORK_CARD,
              expect=[r"^root: network-protocol\.conf names 4 servers$",
                      r"net: static, address 10\.0\.2\.15 mask 255\.255\.255\.0 gateway none$"] +
                     [rf"^SYSTEST ok NETP{n:04d} " for n in range(1, NETWORK_PROTOCOL_CHECKS + 1)] +
                     [rf"^SYSTEST done {NETWORK_PROTOCOL_CHECKS} passed, 0 failed$", r"^root: shutdown asked by nettest$",
                      r"^exit: success$"]),
    Boot_test("SHELL0020", "without its interrupt the console polls COM1, and the shell still answers",
              command_line="", modules=POLLED_MODULES, timeout=180, script=POLLED_STEPS,
              expect=[r"^console: IRQ 4 not available: fallback, polling COM1 every 10 ms$",
                      r"^console: serving on COM1, polled$", r"^exit: success$"]),
    Boot_test("LINUX0001", "the Linux personality runs Debian's busybox-static (unmodified): a shell pipeline forks, "
              "executes and waits, and the shell's exit status comes back", command_line="", modules=LINUX_MODULES,
              timeout=120, expect_exit="failure",
              expect=[r"^one$", r"^two$", r"^linux: sh \(pid 1\) ended, exit status 3$", r"^root: shutdown asked by linux$"]),
    Boot_test("LINUX0002", "the same with the Linux server a kernel-mode task in ring 0 (co-location): the processes' "
              "system calls reach it without a ring change", command_line="",
              modules=[(path, "config=linux-test-kernel.conf" if path.endswith("/roottask") else arguments)
                       for path, arguments in LINUX_MODULES] + [("boot/linux-test-kernel.conf", "")],
              timeout=120, expect_exit="failure",
              expect=[r"^linux: a kernel-mode task \(ring 0\)", r"^one$", r"^two$",
                      r"^linux: sh \(pid 1\) ended, exit status 3$", r"^root: shutdown asked by linux$"]),
    Boot_test("RT0001", "a real-time job wakes every 1 ms 2000 times, its memory pinned by its own region pager "
              "(no fault), and reports its lateness", command_line="", modules=REALTIME_MODULES, timeout=120,
              expect=[RT_LINE, r"^root: shutdown asked by rtjob$", r"^exit: success$"]),
    Boot_test("RT0002", "... the same beside the Linux personality under a fork, pipe and memory stress load",
              command_line="", modules=REALTIME_LINUX_MODULES, timeout=180,
              expect=[r"^root: started linux", RT_LINE, r"^root: shutdown asked by rtjob$", r"^exit: success$"]),
    Boot_test("DEBUG0001", "GDB attaches and stops at the first C++ function with symbols", emulator="gdb",
              expect=[r"Breakpoint 1, arch_start \(magic=732803074, info_address=\d+\)"]),
]
