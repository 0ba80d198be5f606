// SPDX-License-Identifier: MIT
// The native shell: a small monitor on the console (docs/system.md). It reads lines
// through the console server, edits them itself (the console does not echo), and runs
// commands: help, ps, mem, run, linux, test, bench, echo, shutdown. Started with arguments
// "-c COMMAND; COMMAND..." it runs those first (the test boots use that) and then reads
// the console as usual.
//
// Ctrl-C: a second thread of the shell's task waits in the console for Ctrl-C and asks
// the root task to end whatever this shell is running; the main thread, waiting for that
// run to end, gets "interrupted" as its answer. At the prompt (nothing to end) it prints
// "^C" and a new prompt, and the main thread drops the line typed so far.
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/thread.h>
#include <l4/tern/console.hpp>
#include <l4/tern/names.hpp>
#include <l4/tern/net.h>
#include <l4/tern/system.hpp>
#include <l4io.h>
#include <string.h>

#include "task.hpp"

namespace {

constexpr unsigned line_bytes = 200;
constexpr unsigned watcher_stack_words = 1024;

L4_Word_t watcher_stack[watcher_stack_words] __attribute__((aligned(16)));
// Shared by the two threads (one processor; each word is written by one side at a time).
volatile bool at_prompt;    // the main thread is reading a line
volatile bool cancel_line;  // Ctrl-C came at the prompt: drop the line read so far

bool same(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

// Starts with the stack pointer 8 below a 16-byte boundary, as after a call (x86-64 ABI).
void watcher_main()
{
    task::start_thread();
    for (;;) {
        if (tern::console::wait_interrupt(task::console()) == tern::Status::ok) {
            tern::Message reply;
            L4_Word_t ended = 0;
            if (tern::system::call(TERN_SYSTEM_INTERRUPT, &reply) == tern::Status::ok)
                ended = reply.word(0);
            if (ended == 0 && at_prompt) {
                cancel_line = true;
                printf("^C\ntern> ");
            }
        } else
            L4_Sleep(L4_TimePeriod(100000));  // console busy or gone: do not spin
    }
}

void help()
{
    printf("commands:\n"
           "  help              this list\n"
           "  ps                threads and tasks: sigma0, root and what root started\n"
           "  mem               memory: the KIP's memory descriptors and what root handed out\n"
           "  lspci             the PCI functions the root task found at boot, with their BARs\n"
           "  netstat           the network server's counters: frames in and out, dropped, sockets\n"
           "  run MODULE [ARGS] start a boot module as a task and wait for its end (Ctrl-C ends it)\n"
           "  test              run the system test module (systest)\n"
           "  bench             run the console throughput benchmark (conbench)\n"
           "  linux [PROGRAM [ARGS]]  run a Linux program (busybox: linux sh -c 'ls /bin | wc -l';\n"
           "                    linux alone: an interactive busybox shell)\n"
           "  echo TEXT         print TEXT\n"
           "  shutdown [N]      stop the machine (status N, default 0)\n");
}

const char *state_name(L4_Word_t state)
{
    static const char *names[] = {"?", "dead", "inactive", "running", "send-wait", "sending", "waiting",
                                  "receiving"};
    return state < 8 ? names[state] : "?";
}

const char *kind_name(L4_Word_t kind)
{
    static const char *names[] = {"sigma0", "root", "server", "run", "thread", "irq"};
    return kind < 6 ? names[kind] : "?";
}

void ps()
{
    printf("  THREAD             PRIO  STATE      KIND    MODE   MEMORY  NAME\n");
    for (L4_Word_t index = 0;; ++index) {
        tern::Message reply;
        if (tern::system::call(TERN_SYSTEM_TASKS, index, &reply) != tern::Status::ok || reply.untyped() != 10)
            break;
        L4_Word_t w[10];
        for (unsigned i = 0; i < 10; ++i)
            w[i] = reply.word(i);
        char name[TERN_NAME_MAX + 1];
        reply.string(6, TERN_NAME_WORDS, name, sizeof name);
        char memory[16] = "-";
        if (w[3] == TERN_TASK_INTERRUPT) {
            printf("  %-18lx %4lu  %-9s  %-6s  %-5s  %6s  %s (line %lu, handler %lx)\n", w[0], w[1],
                   state_name(w[2]), kind_name(w[3]), "-", "-", name, w[0] >> 32, w[4]);
            continue;
        }
        if (w[4] != 0)
            snprintf(memory, sizeof memory, "%luK", w[4] >> 10);
        // A kernel-mode task runs in ring 0 (docs/system.md, mode=kernel).
        printf("  %-18lx %4lu  %-9s  %-6s  %-5s  %6s  %s\n", w[0], w[1], state_name(w[2]), kind_name(w[3]),
               w[5] == 0 ? "ring0" : "ring3", memory, name);
    }
    // The kernel's own memory per thread (control block and kernel stack), which its KIP
    // lists as the feature "threadmemory=N".
    void *kip = L4_GetKernelInterface();
    for (L4_Word_t i = 0; char *feature = L4_Feature(kip, i); ++i)
        if (strncmp(feature, "threadmemory=", 13) == 0)
            printf("kernel memory per thread: %s bytes (control block and kernel stack)\n", feature + 13);
}

// A name for the common PCI classes (PCI Code and ID Assignment), else the numbers alone.
const char *pci_class_name(L4_Word_t class_code)
{
    switch (class_code >> 8) {
    case 0x0100: return "SCSI controller";
    case 0x0101: return "IDE interface";
    case 0x0106: return "SATA controller";
    case 0x0200: return "Ethernet controller";
    case 0x0300: return "VGA compatible controller";
    case 0x0600: return "Host bridge";
    case 0x0601: return "ISA bridge";
    case 0x0604: return "PCI bridge";
    case 0x0680: return "Bridge";
    case 0x0c03: return "USB controller";
    default: return "Device";
    }
}

void lspci()
{
    L4_Word_t index = 0;
    for (;; ++index) {
        tern::Message reply;
        if (tern::system::call(TERN_SYSTEM_PCI, index, &reply) != tern::Status::ok ||
            reply.untyped() != TERN_PCI_WORDS)
            break;
        L4_Word_t location = reply.word(0), ids = reply.word(1), classes = reply.word(2), interrupt = reply.word(3);
        printf("%02lx:%02lx.%lu %s [%04lx]: %04lx:%04lx (rev %02lx)", location >> 8, (location >> 3) & 0x1f,
               location & 7, pci_class_name(classes & 0xffffff), (classes >> 8) & 0xffff, ids & 0xffff,
               (ids >> 16) & 0xffff, classes >> 24);
        if ((interrupt >> 8 & 0xff) != 0)
            printf(", irq %lu (INT%c)", interrupt & 0xff, static_cast<char>('A' + ((interrupt >> 8 & 0xff) - 1) % 4));
        printf("\n");
        for (unsigned bar = 0; bar < 6; ++bar) {
            L4_Word_t base = reply.word(4 + 2 * bar), size = reply.word(5 + 2 * bar);
            L4_Word_t kind = base & TERN_PCI_BAR_KIND_MASK;
            if (kind == TERN_PCI_BAR_NONE)
                continue;
            if (kind == TERN_PCI_BAR_IO)
                printf("        BAR%u: I/O ports at 0x%lx (%lu ports)\n", bar, base & ~L4_Word_t{3}, size);
            else
                printf("        BAR%u: memory at 0x%lx (%s%s, %lu KiB)\n", bar, base & ~L4_Word_t{0xf},
                       kind == TERN_PCI_BAR_MEMORY64 ? "64-bit" : "32-bit",
                       (base & TERN_PCI_BAR_PREFETCHABLE) != 0 ? ", prefetchable" : "", size >> 10);
        }
    }
    printf("%lu PCI functions\n", index);
}

void netstat()
{
    L4_ThreadId_t net;
    if (tern::names::lookup("net", 0, &net) != tern::Status::ok) {
        printf("netstat: no network server\n");
        return;
    }
    tern::Message request(TERN_NET_STATISTICS);
    if (request.call(net) != tern::Status::ok || request.untyped() != 4) {
        printf("netstat: the network server did not answer\n");
        return;
    }
    printf("frames in %lu, out %lu; dropped %lu; sockets open %lu\n", request.word(0), request.word(1),
           request.word(2), request.word(3));
}

void mem()
{
    void *kip = L4_GetKernelInterface();
    static const char *types[16] = {"undefined", "conventional", "reserved", "dedicated", "shared"};
    L4_Word_t conventional = 0;
    printf("KIP memory descriptors:\n");
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
  // Inclusive bounds: the last descriptor may end at the top of the address space.
        L4_Word_t type = L4_MemoryDescType(d) & 0xf, low = L4_MemoryDescLow(d), last = L4_MemoryDescHigh(d);
        L4_Word_t high = last + 1;
        printf("  [0x%012lx, 0x%012lx] %8lu KiB %s%s\n", low, last, ((last - low) >> 10) + 1,
               types[type] != 0 ? types[type] : "other", L4_IsMemoryDescVirtual(d) ? " (virtual)" : "");
        if (type == 1 && !L4_IsMemoryDescVirtual(d))
            conventional += high - low;
    }
    printf("sigma0 owns %lu KiB\n", conventional >> 10);
    tern::Message reply;
    tern::Status status = tern::system::call(TERN_SYSTEM_MEMORY, &reply);
    if (status == tern::Status::ok && reply.untyped() == 3)
        printf("root got %lu KiB from sigma0 for tasks; %lu tasks use %lu KiB of it\n", reply.word(0) >> 10,
               reply.word(2), reply.word(1) >> 10);
    else
        printf("mem: the root task did not answer (status %lu)\n", tern::raw(status));
}

void run(const char *command)
{
    char module[TERN_NAME_MAX + 1];
    unsigned n = 0;
    while (command[n] != '\0' && command[n] != ' ' && n < TERN_NAME_MAX) {
        module[n] = command[n];
        ++n;
    }
    module[n] = '\0';
    L4_Word_t exit_status = 0;
    tern::Status status = tern::system::run(command, &exit_status);
    switch (status) {
    case tern::Status::ok:
        printf("[%s: exit status %lu]\n", module, exit_status);
        break;
    case tern::Status::interrupted:
        printf("[%s: interrupted]\n", module);
        break;
    case tern::Status::killed:
        printf("[%s: ended by the root task after a fault]\n", module);
        break;
    case tern::Status::not_found:
        printf("run: no boot module \"%s\"\n", module);
        break;
    default:
        printf("run: cannot run \"%s\" (status %lu)\n", module, tern::raw(status));
        break;
    }
}

// A Linux program under the Linux personality (docs/linux.md): the server runs as this
// command's task, with the normal boot's root file system, and ends with the program.
void linux_command(const char *arguments)
{
    // "linux" or "linux sh": an interactive busybox shell.
    if (arguments[0] == '\0')
        arguments = "sh";
    static const char prefix[] = "linux return terminal rootfs=linux-rootfs.cpio ";
    static char command[TERN_ARGS_WORDS * 8];
    size_t length = strlen(arguments);
    if (sizeof prefix + length > sizeof command) {
        printf("linux: the command is longer than %lu characters\n",
               static_cast<unsigned long>(sizeof command - sizeof prefix));
        return;
    }
    memcpy(command, prefix, sizeof prefix - 1);
    memcpy(command + sizeof prefix - 1, arguments, length + 1);
    // The console is the Linux processes' terminal while they run: Ctrl-C is its
    // (SIGINT to the foreground job), not the shell's.
    bool passed = tern::console::pass_interrupts(task::console(), true) == tern::Status::ok;
    run(command);
    if (passed)
        (void)tern::console::pass_interrupts(task::console(), false);
}

void execute(char *line)
{
    while (*line == ' ')
        ++line;
    char *end = line + strlen(line);
    while (end > line && end[-1] == ' ')
        *--end = '\0';
    char *rest = line;
    while (*rest != '\0' && *rest != ' ')
        ++rest;
    if (*rest == ' ')
        *rest++ = '\0';
    while (*rest == ' ')
        ++rest;
    if (line[0] == '\0')
        return;
    if (same(line, "help"))
        help();
    else if (same(line, "ps"))
        ps();
    else if (same(line, "mem"))
        mem();
    else if (same(line, "lspci"))
        lspci();
    else if (same(line, "netstat"))
        netstat();
    else if (same(line, "run") && rest[0] != '\0')
        run(rest);
    else if (same(line, "run"))
        printf("run: which module? (run MODULE [ARGS])\n");
    else if (same(line, "linux"))
        linux_command(rest);
    else if (same(line, "test"))
        run("systest");
    else if (same(line, "bench"))
        run("conbench");
    else if (same(line, "echo"))
        printf("%s\n", rest);
    else if (same(line, "shutdown")) {
        L4_Word_t status = rest[0] != '\0' && rest[0] != '0';
        printf("shutdown: %lu\n", tern::raw(tern::system::call(TERN_SYSTEM_SHUTDOWN, status)));
    } else
        printf("shell: unknown command \"%s\"; type help for the list\n", line);
}

// Runs the ';'-separated commands of a -c argument.
void run_script(const char *script)
{
    char line[line_bytes];
    while (*script != '\0') {
        while (*script == ' ')
            ++script;
        unsigned n = 0;
        while (*script != '\0' && *script != ';') {
            if (n + 1 < sizeof line)
                line[n++] = *script;
            ++script;
        }
        line[n] = '\0';
        if (*script == ';')
            ++script;
        printf("tern> %s\n", line);
        execute(line);
    }
}

// Reads one line with echo, backspace, Ctrl-U (erase line) and Ctrl-C (new line).
void read_line(char *line, unsigned capacity)
{
    static bool after_cr;
    unsigned length = 0;
    printf("tern> ");
    cancel_line = false;
    at_prompt = true;
    for (;;) {
        char bytes[64];
        unsigned n = tern::console::read(task::console(), bytes, sizeof bytes);
        if (cancel_line) {  // Ctrl-C was typed before these bytes
            cancel_line = false;
            length = 0;
        }
        for (unsigned i = 0; i < n; ++i) {
            char c = bytes[i];
            bool was_cr = after_cr;
            after_cr = c == '\r';
            if (c == '\n' && was_cr)
                continue;  // the LF of a CR LF
            if (c == '\r' || c == '\n') {
                at_prompt = false;
                printf("\n");
                line[length] = '\0';
                return;
            }
            if ((c == 0x7f || c == '\b') && length > 0) {
                --length;
                printf("\b \b");
            } else if (c == 0x15) {
                for (; length > 0; --length)
                    printf("\b \b");
            } else if (c == TERN_CONSOLE_CTRL_C) {
                printf("^C\ntern> ");
                length = 0;
            } else if (c >= ' ' && c < 0x7f && length + 1 < capacity) {
                line[length++] = c;
                putchar(c);
            }
        }
        if (n == 0)
            L4_Sleep(L4_TimePeriod(100000));  // the console refused: do not spin
    }
}

}  // namespace

int main()
{
    if (tern::system::start_thread(watcher_main, &watcher_stack[watcher_stack_words - 1]) != tern::Status::ok)
        printf("shell: no second thread: Ctrl-C cannot interrupt a run\n");
    printf("Tern shell; type help for the commands\n");
    const char *args = task::args();
    if (strncmp(args, "-c ", 3) == 0)
        run_script(args + 3);
    char line[line_bytes];
    for (;;) {
        read_line(line, sizeof line);
        execute(line);
    }
}
