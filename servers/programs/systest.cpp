// SPDX-License-Identifier: MIT
// The system's own tests, run as a task by the shell's "test": the name service, the
// root task's system protocol and the console protocol, including the errors every
// malformed or unpermitted request must get (and that the servers keep serving after
// them). One line each, "TEST ok ID description" or "TEST not ok ID description: why",
// then "TEST done N passed, M failed"; the exit status is the number failed.
//
// With the argument "input" it runs the tests that need a line typed at the console
// (the SHELL boot tests type it); with "ports" (started as a server granted ports
// 0x80/8) the I/O port tests.
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/arch.h>
#include <l4/tern/console.hpp>
#include <l4/tern/names.hpp>
#include <l4/tern/system.hpp>
#include <l4io.h>
#include <string.h>

#include "task.hpp"

namespace {

int passed, failed;

// Loads a request of label and count words into the MRs, as any client could send it
// (malformed ones included).
void load(L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    tern::Message request(label);
    for (unsigned i = 0; i < count; ++i)
        request.add(words[i]);
    request.load();
}

// The status of a reply, as it travels: TERN_ERROR_FAILED when the IPC failed.
L4_Word_t status_of(L4_MsgTag_t tag)
{
    return L4_IpcFailed(tag) ? TERN_ERROR_FAILED : L4_Label(tag);
}

// The clients of <l4/tern/*.hpp> with the status as a number (the tests print it).
L4_Word_t names_lookup(const char *name, L4_Word_t flags, L4_ThreadId_t *thread)
{
    return tern::raw(tern::names::lookup(name, flags, thread));
}

L4_Word_t names_register(const char *name, L4_ThreadId_t thread)
{
    return tern::raw(tern::names::register_name(name, thread));
}

L4_Word_t system_run(const char *command, L4_Word_t *exit_status)
{
    return tern::raw(tern::system::run(command, exit_status));
}

void check(const char *id, const char *description, int ok, L4_Word_t seen)
{
    if (ok) {
        ++passed;
        printf("TEST ok %s %s\n", id, description);
    } else {
        ++failed;
        printf("TEST not ok %s %s: got %lu\n", id, description, seen);
    }
}

// A request with label and count words to to; returns the status.
void log_tests(L4_ThreadId_t console);

L4_Word_t ask(L4_ThreadId_t to, L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    load(label, count, words);
    return status_of(L4_Call(to));
}

// The same, waiting at most 50 ms for the answer: timed_out when the request was taken
// but not answered (queued).
constexpr L4_Word_t timed_out = 1000;
L4_Word_t ask_briefly(L4_ThreadId_t to, L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    load(label, count, words);
    L4_MsgTag_t tag = L4_Call_Timeouts(to, L4_Never, L4_TimePeriod(50000));
    if (L4_IpcFailed(tag) && (L4_ErrorCode() & 1) != 0)
        return timed_out;  // failed in the receive phase: the request was taken
    return status_of(tag);
}

// Further threads of this task. A helper sends its job's request `repeat` times with a
// plain send (not waiting for any answer) and then sleeps, polling for its next job: it
// stays alive but never waits for the servers it sent to.
constexpr int helper_count = 8;
constexpr unsigned helper_stack_words = 512;
struct Job {
    volatile L4_Word_t seq, done;
    L4_ThreadId_t to;
    L4_Word_t label, words[TERN_NAME_WORDS + 1];
    unsigned count, repeat;
};
Job jobs[helper_count];
L4_Word_t helper_stacks[helper_count][helper_stack_words] __attribute__((aligned(16)));
volatile int helper_starting, helper_started;

void helper_main()
{
    task::start_thread();
    Job *job = &jobs[helper_starting];
    L4_Word_t seen = 0;
    helper_started = 1;
    for (;;) {
        while (job->seq == seen)
            L4_Sleep(L4_TimePeriod(1000));
        seen = job->seq;
        for (unsigned r = 0; r < job->repeat; ++r) {
            load(job->label, job->count, job->words);
            L4_Send(job->to);
        }
        job->done = seen;
    }
}

int start_helpers()
{
    for (int i = 0; i < helper_count; ++i) {
        helper_starting = i;
        helper_started = 0;
        if (tern::system::start_thread(helper_main, &helper_stacks[i][helper_stack_words - 1]) != tern::Status::ok)
            return 0;
        while (!helper_started)
            L4_Sleep(L4_TimePeriod(1000));
    }
    return 1;
}

// Has helper i send label and words to to, repeat times; returns once it has.
void helper_send(int i, L4_ThreadId_t to, L4_Word_t label, unsigned count, const L4_Word_t *words,
                 unsigned repeat)
{
    Job *job = &jobs[i];
    job->to = to;
    job->label = label;
    job->count = count;
    for (unsigned w = 0; w < count; ++w)
        job->words[w] = words[w];
    job->repeat = repeat;
    L4_Word_t seq = job->seq + 1;
    job->seq = seq;
    while (job->done != seq)
        L4_Sleep(L4_TimePeriod(1000));
}

// The console's INFO: words[0..5] mode, received, written, interrupts, readers, waiters.
L4_Word_t console_info(L4_ThreadId_t console, L4_Word_t *words)
{
    log_tests(console);
    load(TERN_CONSOLE_INFO, 0, nullptr);
    L4_MsgTag_t tag = L4_Call(console);
    for (int i = 0; i < 6; ++i)
        words[i] = ~0UL;
    if (status_of(tag) != TERN_OK || L4_UntypedWords(tag) != 6)
        return status_of(tag) == TERN_OK ? TERN_ERROR_MALFORMED : status_of(tag);
    for (int i = 0; i < 6; ++i)
        L4_StoreMR(i + 1, &words[i]);
    return TERN_OK;
}

// Clients that do not wait (they send, or they ended) cannot hold the servers' tables.
void slot_tests(L4_ThreadId_t root, L4_ThreadId_t console)
{
    if (!start_helpers()) {
        check("CON0007", "helper threads for the slot tests", 0, 0);
        return;
    }
    L4_Word_t info[6], one = 1;
    helper_send(0, console, TERN_CONSOLE_READ, 1, &one, 3);
    L4_Word_t status = console_info(console, info);
    check("CON0007", "three reads a thread sent without waiting hold one reader slot",
          status == TERN_OK && info[4] == 1, status == TERN_OK ? info[4] : 1000 + status);
    for (int i = 1; i < helper_count; ++i)
        helper_send(i, console, TERN_CONSOLE_READ, 1, &one, 1);
    status = ask_briefly(console, TERN_CONSOLE_READ, 1, &one);
    check("CON0008", "with every reader slot held by threads that do not wait, a read still queues",
          status == timed_out, status);
    for (int i = 0; i < 3; ++i)
        helper_send(i, console, TERN_CONSOLE_WAIT_INTERRUPT, 0, nullptr, 1);
    status = ask_briefly(console, TERN_CONSOLE_WAIT_INTERRUPT, 0, nullptr);
    check("CON0009", "with the interrupt waiter slots held by threads that do not wait, a wait still queues",
          status == timed_out, status);
    status = console_info(console, info);
    check("CON0010", "a thread's new request replaces what it queued (its timed-out wait is gone)",
          status == TERN_OK && info[5] <= 3, status == TERN_OK ? info[5] : 1000 + status);

    L4_Word_t lookup[TERN_NAME_WORDS + 1];
    tern::Message packed;
    tern::names::build(packed, "never-registered", TERN_NAMES_WAIT);
    for (unsigned i = 0; i < TERN_NAME_WORDS + 1; ++i)
        lookup[i] = packed.word(i);
    helper_send(0, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 3);
    helper_send(1, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 1);
    helper_send(2, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 1);
    status = ask_briefly(root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup);
    check("NAME0009", "repeated waiting lookups of one thread hold one entry (a fourth thread may wait)",
          status == timed_out, status);
    L4_ThreadId_t none;
    status = names_lookup("never-registered", 0, &none);  // ends this thread's waiting entry
    helper_send(3, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 1);
    status = ask_briefly(root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup);
    check("NAME0010", "a task holds at most four waiting lookups: a fifth is FULL", status == TERN_ERROR_FULL,
          status);
    status = names_lookup("console", TERN_NAMES_WAIT, &none);
    check("NAME0011", "a registered name is still found at once", status == TERN_OK, status);
}

// ---- "input": a line typed at the console while another thread keeps asking ----

L4_Word_t busy_stack[helper_stack_words] __attribute__((aligned(16)));
volatile L4_Word_t busy_calls, busy_wrong, busy_stop;
L4_ThreadId_t busy_console;

// Sends a malformed read (0 bytes) over and over: each must come back MALFORMED at once,
// also when it arrives while typed input is waiting to be handed to a reader.
void busy_main()
{
    task::start_thread();
    L4_Word_t zero = 0;
    while (!busy_stop) {
        if (ask(busy_console, TERN_CONSOLE_READ, 1, &zero) != TERN_ERROR_MALFORMED)
            busy_wrong = busy_wrong + 1;
        busy_calls = busy_calls + 1;
    }
    for (;;)
        L4_Sleep(L4_Never);
}

void input_tests(L4_ThreadId_t console)
{
    busy_console = console;
    L4_Word_t status = tern::raw(tern::system::start_thread(busy_main, &busy_stack[helper_stack_words - 1]));
    check("CON0011", "a second thread for the input tests", status == TERN_OK, status);
    printf("TEST type a line\n");
    char line[100];
    unsigned length = 0;
    for (;;) {
        char c;
        if (tern::console::read(console, &c, 1) != 1) {
            L4_Sleep(L4_TimePeriod(10000));
            continue;
        }
        if (c == '\r' || c == '\n')
            break;
        if (length + 1 < sizeof line)
            line[length++] = c;
    }
    line[length] = '\0';
    busy_stop = 1;
    printf("TEST input line \"%s\" (%lu requests from the other thread meanwhile)\n", line, busy_calls);
    check("CON0012", "requests arriving while typed input waits for a reader are read intact",
          busy_wrong == 0 && busy_calls > 0, busy_wrong);
    L4_Word_t info[6];
    status = console_info(console, info);
    printf("TEST console mode %lu, %lu interrupts, %lu bytes received\n", info[0], info[3], info[1]);
    check("CON0013", "an interrupt-driven console counts the interrupts of typed input",
          status == TERN_OK && (info[0] != TERN_CONSOLE_UART_IRQ || info[3] > 0), info[3]);
}

// ---- "ports": a server granted ports 0x80/8 ----

unsigned char in8(unsigned port)
{
    unsigned char value;
    __asm__ __volatile__("inb %w1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

// The console's log: WRITE is kept, WRITE_OUTPUT (a program's output) is not; LOG reads it
// back from any position.
void log_tests(L4_ThreadId_t console)
{
    static char text[TERN_CONSOLE_LOG_BYTES];
    L4_Word_t total = 0, first = 0, after = 0;
    (void)tern::console::read_log(console, ~0UL, text, 0, total, first);
    bool logged = tern::console::write(console, "systest: logged line\n", 21) == tern::Status::ok;
    bool output = tern::console::write(console, "systest: output line\n", 21, false) == tern::Status::ok;
    unsigned n = tern::console::read_log(console, total, text, sizeof text, after, first);
    check("CON0015", "WRITE is kept in the console's log, WRITE_OUTPUT is written but not kept, LOG reads the new "
          "bytes back",
          logged && output && after == total + 21 && n == 21 && memcmp(text, "systest: logged line\n", 21) == 0,
          after - total);
    n = tern::console::read_log(console, total + 9, text, 6, after, first);
    unsigned past = tern::console::read_log(console, after + 50, text, sizeof text, after, first);
    L4_Word_t words[2] = {0, 0};
    L4_Word_t status = ask(console, TERN_CONSOLE_LOG, 2, words);
    check("CON0016", "LOG reads from any position, nothing past the end, at most 16 KiB back; a request of two "
          "words is MALFORMED",
          n == 6 && memcmp(text, "logged", 6) == 0 && past == 0 && first + TERN_CONSOLE_LOG_BYTES >= after &&
              status == TERN_ERROR_MALFORMED,
          n * 1000 + status);
}

L4_Word_t ask_ports(L4_Word_t base, int size_log2)
{
    L4_Word_t fpage = L4_IoFpageLog2(base, size_log2).raw;
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    L4_Word_t status = tern::raw(tern::system::call(TERN_SYSTEM_IO_PORTS, fpage));
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status == TERN_OK && L4_TypedWords(L4_MsgTag()) != 2)
        status = TERN_ERROR_MALFORMED;
    return status;
}

void port_tests()
{
    L4_Word_t status = TERN_OK;
    unsigned got = 0;
    for (unsigned i = 0; i < 8; ++i)
        if ((status = ask_ports(0x80 + i, 0)) == TERN_OK) {
            (void)in8(0x80 + i);  // without the port the task would be ended
            ++got;
        }
    check("IOP0101", "eight single ports of the granted 0x80/8 each come mapped", got == 8, got * 100 + status);
    status = ask_ports(0x84, 2);
    check("IOP0102", "ports within ranges already asked for come mapped again", status == TERN_OK, status);
    status = ask_ports(0x81, 1);
    check("IOP0103", "an unaligned port fpage is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask_ports(0x88, 0);
    check("IOP0104", "a port outside the grant is DENIED", status == TERN_ERROR_DENIED, status);
}

}  // namespace

int main()
{
    L4_ThreadId_t root = tern_root_thread(), console = L4_nilthread;
    const char *args = task::args();
    if (strncmp(args, "ports", 5) == 0) {
        port_tests();
        printf("TEST done %d passed, %d failed\n", passed, failed);
        return failed;
    }
    if (strncmp(args, "input", 5) == 0) {
        input_tests(task::console());
        printf("TEST done %d passed, %d failed\n", passed, failed);
        return failed;
    }
    L4_Word_t status = names_lookup("console", 0, &console);
    check("NAME0001", "lookup of \"console\" finds the console server", status == TERN_OK, status);
    L4_ThreadId_t none;
    status = names_lookup("no-such-server", 0, &none);
    check("NAME0002", "lookup of an unknown name is NOT_FOUND", status == TERN_ERROR_NOT_FOUND, status);
    status = names_register("systest", L4_Myself());
    check("NAME0003", "a task registers a name for its own thread", status == TERN_OK, status);
    status = names_register("systest", L4_Myself());
    check("NAME0004", "registering a taken name is EXISTS", status == TERN_ERROR_EXISTS, status);
    status = names_register("impostor", console);
    check("NAME0005", "registering another task's thread is DENIED", status == TERN_ERROR_DENIED, status);
    L4_Word_t unterminated[5] = {~0UL, ~0UL, ~0UL, ~0UL, 0};
    status = ask(root, TERN_NAMES_LOOKUP, 5, unterminated);
    check("NAME0006", "a name without its NUL is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask(root, TERN_NAMES_LOOKUP, 2, unterminated);
    check("NAME0007", "a lookup with the wrong number of words is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    L4_ThreadId_t me = L4_nilthread;
    status = names_lookup("systest", 0, &me);
    check("NAME0008", "the registered name finds this task", status == TERN_OK && L4_IsThreadEqual(me, L4_Myself()),
          status);

    status = ask(root, 0x7e20, 0, nullptr);  // (below the first of root's requests)
    check("SYS0001", "an unknown system request is UNKNOWN", status == TERN_ERROR_UNKNOWN, status);
    L4_Word_t irq = 4;
    status = ask(root, TERN_SYSTEM_IRQ, 1, &irq);
    check("SYS0002", "an interrupt the configuration does not grant is DENIED", status == TERN_ERROR_DENIED, status);
    L4_Word_t ports = L4_IoFpage(0x60, 1).raw;
    status = ask(root, TERN_SYSTEM_IO_PORTS, 1, &ports);
    check("SYS0003", "I/O ports the configuration does not grant are DENIED", status == TERN_ERROR_DENIED, status);
    L4_Word_t zero = 0;
    status = ask(root, TERN_SYSTEM_SHUTDOWN, 1, &zero);
    check("SYS0004", "shutdown without the grant is DENIED", status == TERN_ERROR_DENIED, status);
    L4_Word_t exit_status = 0;
    status = system_run("no-such-module", &exit_status);
    check("SYS0005", "running a missing module is NOT_FOUND", status == TERN_ERROR_NOT_FOUND, status);
    status = system_run("hello exit=3", &exit_status);
    check("SYS0006", "a run task's exit status comes back", status == TERN_OK && exit_status == 3,
          status * 1000 + exit_status);
    status = system_run("fault", &exit_status);
    check("SYS0007", "a task that faults is ended and reported as KILLED", status == TERN_ERROR_KILLED, status);
    status = system_run("fault io", &exit_status);
    check("SYS0008", "a task that touches ports it lacks is ended as KILLED", status == TERN_ERROR_KILLED, status);
    status = ask(root, TERN_SYSTEM_THREAD, 0, &zero);
    check("SYS0009", "a thread request with no words is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask(root, TERN_SYSTEM_RUN, 0, nullptr);
    check("SYS0010", "a run request without a command is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    L4_Word_t space_request[2] = {TERN_SYSTEM_SPACE_REFLECT, L4_Myself().raw};
    status = ask(root, TERN_SYSTEM_SPACE_NEW, 2, space_request);
    check("SYS0011", "a space request without the spaces grant is DENIED", status == TERN_ERROR_DENIED, status);
    space_request[0] = 2;
    status = ask(root, TERN_SYSTEM_SPACE_NEW, 2, space_request);
    check("SYS0012", "a space request with an unknown control bit is MALFORMED", status == TERN_ERROR_MALFORMED,
          status);
    space_request[0] = L4_Myself().raw;
    status = ask(root, TERN_SYSTEM_SPACE_DELETE, 1, space_request);
    check("SYS0013", "deleting a task that is no space of the caller is DENIED", status == TERN_ERROR_DENIED, status);
    L4_Word_t thread_request[3] = {root.raw, 0, 0};
    status = ask(root, TERN_SYSTEM_THREAD, 1, thread_request);
    L4_Word_t three = ask(root, TERN_SYSTEM_THREAD, 3, thread_request);
    check("SYS0014", "a THREAD paged by a thread of another task (root's) is DENIED; three words are MALFORMED",
          status == TERN_ERROR_DENIED && three == TERN_ERROR_MALFORMED, status * 100 + three);
    L4_Word_t space_thread[2] = {L4_Myself().raw, L4_Myself().raw};
    L4_Word_t own = ask(root, TERN_SYSTEM_SPACE_THREAD, 2, space_thread);
    L4_Word_t own_delete = ask(root, TERN_SYSTEM_SPACE_THREAD_DELETE, 2, (space_thread[1] = 0, space_thread));
    L4_Word_t one_word = ask(root, TERN_SYSTEM_SPACE_THREAD, 1, space_thread);
    space_thread[0] = L4_GlobalId(L4_ThreadNo(L4_Myself()) + 4000, 1).raw;
    L4_Word_t nobody = ask(root, TERN_SYSTEM_SPACE_THREAD_DELETE, 2, space_thread);
    check("SYS0015", "SPACE_THREAD and SPACE_THREAD_DELETE in a task that is no space of the caller are DENIED, "
          "one word is MALFORMED, a thread of no task NOT_FOUND",
          own == TERN_ERROR_DENIED && own_delete == TERN_ERROR_DENIED && one_word == TERN_ERROR_MALFORMED &&
              nobody == TERN_ERROR_NOT_FOUND,
          own * 1000 + own_delete * 100 + one_word * 10 + nobody);

    L4_Word_t pci_index = ~L4_Word_t{0};
    L4_Word_t past_end = ask(root, TERN_SYSTEM_PCI, 1, &pci_index);
    L4_Word_t no_index = ask(root, TERN_SYSTEM_PCI, 0, nullptr);
    L4_Word_t first_function = 0, small = 11, page = 12;
    L4_Word_t claim = ask(root, TERN_SYSTEM_PCI_CLAIM, 1, &first_function);
    L4_Word_t claim_nothing = ask(root, TERN_SYSTEM_PCI_CLAIM, 0, nullptr);
    L4_Word_t dma_small = ask(root, TERN_SYSTEM_DMA, 1, &small);
    L4_Word_t dma = ask(root, TERN_SYSTEM_DMA, 1, &page);
    check("SYS0017", "PCI_CLAIM and DMA without a pci= grant are DENIED; without an index, or below a page, MALFORMED",
          claim == TERN_ERROR_DENIED && claim_nothing == TERN_ERROR_MALFORMED && dma_small == TERN_ERROR_MALFORMED &&
              dma == TERN_ERROR_DENIED,
          claim * 1000 + claim_nothing * 100 + dma_small * 10 + dma);
    check("SYS0016", "a PCI function past the last is NOT_FOUND; a PCI request without an index is MALFORMED",
          past_end == TERN_ERROR_NOT_FOUND && no_index == TERN_ERROR_MALFORMED, past_end * 100 + no_index);

    L4_Word_t words[3] = {0, 0, 0};
    status = ask(console, TERN_CONSOLE_WRITE, 1, words);
    check("CON0001", "a write of 0 bytes is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    words[0] = 20;
    status = ask(console, TERN_CONSOLE_WRITE, 2, words);
    check("CON0002", "a write with fewer words than bytes is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    words[0] = TERN_CONSOLE_MAX_BYTES + 1;
    status = ask(console, TERN_CONSOLE_READ, 1, words);
    check("CON0003", "a read of too many bytes is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask(console, 0x7e4f, 0, nullptr);
    check("CON0004", "an unknown console request is UNKNOWN", status == TERN_ERROR_UNKNOWN, status);
    status = tern::raw(tern::console::write(console, "console write\n", 14));
    L4_Word_t written = 0;
    L4_StoreMR(1, &written);
    check("CON0005", "a write answers with the bytes written", status == TERN_OK && written == 14, written);
    words[0] = 2;
    status = ask(console, TERN_CONSOLE_PASS_INTERRUPTS, 1, words);
    L4_Word_t pass_on = tern::raw(tern::console::pass_interrupts(console, true));
    L4_Word_t pass_off = tern::raw(tern::console::pass_interrupts(console, false));
    check("CON0014", "passing interrupts on and off is OK; a setting above 1 is MALFORMED",
          status == TERN_ERROR_MALFORMED && pass_on == TERN_OK && pass_off == TERN_OK,
          status * 100 + pass_on * 10 + pass_off);
    load(TERN_CONSOLE_INFO, 0, nullptr);
    L4_MsgTag_t tag = L4_Call(console);
    L4_Word_t mode = 9;
    L4_StoreMR(1, &mode);
    check("CON0006", "the console reports its mode after bad requests",
          status_of(tag) == TERN_OK && L4_UntypedWords(tag) == 6 && mode <= TERN_CONSOLE_KDB, mode);
    printf("TEST console mode %lu (0 interrupt-driven, 1 polled UART, 2 kernel debug console)\n", mode);
    slot_tests(root, console);

    printf("TEST done %d passed, %d failed\n", passed, failed);
    return failed;
}
