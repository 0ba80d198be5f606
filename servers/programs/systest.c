/* SPDX-License-Identifier: MIT */
/* The system's own tests, run as a task by the shell's "test": the name service, the
 * root task's system protocol and the console protocol, including the errors every
 * malformed or unpermitted request must get (and that the servers keep serving after
 * them). One line each, "TEST ok ID description" or "TEST not ok ID description: why",
 * then "TEST done N passed, M failed"; the exit status is the number failed.
 *
 * With the argument "input" it runs the tests that need a line typed at the console
 * (the SHELL boot tests type it); with "ports" (started as a server granted ports
 * 0x80/8) the I/O port tests. */
#include <l4/ipc.h>
#include <l4/thread.h>
#include <l4/arch.h>
#include <l4/tern/console.h>
#include <l4/tern/names.h>
#include <l4/tern/system.h>
#include <l4io.h>

#include "task.h"

static int passed, failed;

static void check(const char *id, const char *description, int ok, L4_Word_t seen)
{
    if (ok) {
        ++passed;
        printf("TEST ok %s %s\n", id, description);
    } else {
        ++failed;
        printf("TEST not ok %s %s: got %lu\n", id, description, seen);
    }
}

/* A request with label and count words to to; returns the status. */
static L4_Word_t ask(L4_ThreadId_t to, L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    tern_load(label, count, words);
    return tern_status(L4_Call(to));
}

/* The same, waiting at most 50 ms for the answer: TIMED_OUT when the request was taken
 * but not answered (queued). */
#define TIMED_OUT 1000
static L4_Word_t ask_briefly(L4_ThreadId_t to, L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    tern_load(label, count, words);
    L4_MsgTag_t tag = L4_Call_Timeouts(to, L4_Never, L4_TimePeriod(50000));
    if (L4_IpcFailed(tag) && (L4_ErrorCode() & 1) != 0)
        return TIMED_OUT; /* failed in the receive phase: the request was taken */
    return tern_status(tag);
}

/* Further threads of this task. A helper sends its job's request `repeat` times with a
 * plain send (not waiting for any answer) and then sleeps, polling for its next job: it
 * stays alive but never waits for the servers it sent to. */
#define HELPERS 8
#define HELPER_STACK_WORDS 512
struct job {
    volatile L4_Word_t seq, done;
    L4_ThreadId_t to;
    L4_Word_t label, words[TERN_NAME_WORDS + 1];
    unsigned count, repeat;
};
static struct job jobs[HELPERS];
static L4_Word_t helper_stacks[HELPERS][HELPER_STACK_WORDS] __attribute__((aligned(16)));
static volatile int helper_starting, helper_started;

static void helper_main(void)
{
    L4_Set_ExceptionHandler(tern_root_thread());
    struct job *job = &jobs[helper_starting];
    L4_Word_t seen = 0;
    helper_started = 1;
    for (;;) {
        while (job->seq == seen)
            L4_Sleep(L4_TimePeriod(1000));
        seen = job->seq;
        for (unsigned r = 0; r < job->repeat; ++r) {
            tern_load(job->label, job->count, job->words);
            L4_Send(job->to);
        }
        job->done = seen;
    }
}

static int start_helpers(void)
{
    for (int i = 0; i < HELPERS; ++i) {
        helper_starting = i;
        helper_started = 0;
        L4_Word_t start[2] = {(L4_Word_t)helper_main, (L4_Word_t)&helper_stacks[i][HELPER_STACK_WORDS - 1]};
        if (tern_system_call(TERN_SYSTEM_THREAD, 2, start) != TERN_OK)
            return 0;
        while (!helper_started)
            L4_Sleep(L4_TimePeriod(1000));
    }
    return 1;
}

/* Has helper i send label and words to to, repeat times; returns once it has. */
static void helper_send(int i, L4_ThreadId_t to, L4_Word_t label, unsigned count, const L4_Word_t *words,
                        unsigned repeat)
{
    struct job *job = &jobs[i];
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

/* The console's INFO: words[0..5] mode, received, written, interrupts, readers, waiters. */
static L4_Word_t console_info(L4_ThreadId_t console, L4_Word_t *words)
{
    tern_load(TERN_CONSOLE_INFO, 0, 0);
    L4_MsgTag_t tag = L4_Call(console);
    for (int i = 0; i < 6; ++i)
        words[i] = ~0UL;
    if (tern_status(tag) != TERN_OK || L4_UntypedWords(tag) != 6)
        return tern_status(tag) == TERN_OK ? TERN_ERROR_MALFORMED : tern_status(tag);
    for (int i = 0; i < 6; ++i)
        L4_StoreMR(i + 1, &words[i]);
    return TERN_OK;
}

/* Clients that do not wait (they send, or they ended) cannot hold the servers' tables. */
static void slot_tests(L4_ThreadId_t root, L4_ThreadId_t console)
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
    for (int i = 1; i < HELPERS; ++i)
        helper_send(i, console, TERN_CONSOLE_READ, 1, &one, 1);
    status = ask_briefly(console, TERN_CONSOLE_READ, 1, &one);
    check("CON0008", "with every reader slot held by threads that do not wait, a read still queues",
          status == TIMED_OUT, status);
    for (int i = 0; i < 3; ++i)
        helper_send(i, console, TERN_CONSOLE_WAIT_INTERRUPT, 0, 0, 1);
    status = ask_briefly(console, TERN_CONSOLE_WAIT_INTERRUPT, 0, 0);
    check("CON0009", "with the interrupt waiter slots held by threads that do not wait, a wait still queues",
          status == TIMED_OUT, status);
    status = console_info(console, info);
    check("CON0010", "a thread's new request replaces what it queued (its timed-out wait is gone)",
          status == TERN_OK && info[5] <= 3, status == TERN_OK ? info[5] : 1000 + status);

    L4_Word_t lookup[TERN_NAME_WORDS + 1];
    tern_pack_string("never-registered", lookup, TERN_NAME_WORDS);
    lookup[TERN_NAME_WORDS] = TERN_NAMES_WAIT;
    helper_send(0, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 3);
    helper_send(1, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 1);
    helper_send(2, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 1);
    status = ask_briefly(root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup);
    check("NAME0009", "repeated waiting lookups of one thread hold one entry (a fourth thread may wait)",
          status == TIMED_OUT, status);
    L4_ThreadId_t none;
    status = tern_names_lookup("never-registered", 0, &none); /* ends this thread's waiting entry */
    helper_send(3, root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup, 1);
    status = ask_briefly(root, TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, lookup);
    check("NAME0010", "a task holds at most four waiting lookups: a fifth is FULL", status == TERN_ERROR_FULL,
          status);
    status = tern_names_lookup("console", TERN_NAMES_WAIT, &none);
    check("NAME0011", "a registered name is still found at once", status == TERN_OK, status);
}

/* ---- "input": a line typed at the console while another thread keeps asking ---- */

static L4_Word_t busy_stack[HELPER_STACK_WORDS] __attribute__((aligned(16)));
static volatile L4_Word_t busy_calls, busy_wrong, busy_stop;
static L4_ThreadId_t busy_console;

/* Sends a malformed read (0 bytes) over and over: each must come back MALFORMED at once,
 * also when it arrives while typed input is waiting to be handed to a reader. */
static void busy_main(void)
{
    L4_Set_ExceptionHandler(tern_root_thread());
    L4_Word_t zero = 0;
    while (!busy_stop) {
        if (ask(busy_console, TERN_CONSOLE_READ, 1, &zero) != TERN_ERROR_MALFORMED)
            ++busy_wrong;
        ++busy_calls;
    }
    for (;;)
        L4_Sleep(L4_Never);
}

static void input_tests(L4_ThreadId_t console)
{
    busy_console = console;
    L4_Word_t start[2] = {(L4_Word_t)busy_main, (L4_Word_t)&busy_stack[HELPER_STACK_WORDS - 1]};
    L4_Word_t status = tern_system_call(TERN_SYSTEM_THREAD, 2, start);
    check("CON0011", "a second thread for the input tests", status == TERN_OK, status);
    printf("TEST type a line\n");
    char line[100];
    unsigned length = 0;
    for (;;) {
        char c;
        if (tern_console_read(console, &c, 1) != 1) {
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

/* ---- "ports": a server granted ports 0x80/8 ---- */

static unsigned char in8(unsigned port)
{
    unsigned char value;
    __asm__ __volatile__("inb %w1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static L4_Word_t ask_ports(L4_Word_t base, int size_log2)
{
    L4_Word_t fpage = L4_IoFpageLog2(base, size_log2).raw;
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    L4_Word_t status = tern_system_call(TERN_SYSTEM_IO_PORTS, 1, &fpage);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status == TERN_OK && L4_TypedWords(L4_MsgTag()) != 2)
        status = TERN_ERROR_MALFORMED;
    return status;
}

static void port_tests(void)
{
    L4_Word_t status = TERN_OK;
    unsigned got = 0;
    for (unsigned i = 0; i < 8; ++i)
        if ((status = ask_ports(0x80 + i, 0)) == TERN_OK) {
            (void)in8(0x80 + i); /* without the port the task would be ended */
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

int main(void)
{
    L4_ThreadId_t root = tern_root_thread(), console = L4_nilthread;
    const char *args = task_args();
    if (args[0] == 'p' && args[1] == 'o' && args[2] == 'r' && args[3] == 't' && args[4] == 's') {
        port_tests();
        printf("TEST done %d passed, %d failed\n", passed, failed);
        return failed;
    }
    if (args[0] == 'i' && args[1] == 'n' && args[2] == 'p' && args[3] == 'u' && args[4] == 't') {
        input_tests(task_console());
        printf("TEST done %d passed, %d failed\n", passed, failed);
        return failed;
    }
    L4_Word_t status = tern_names_lookup("console", 0, &console);
    check("NAME0001", "lookup of \"console\" finds the console server", status == TERN_OK, status);
    L4_ThreadId_t none;
    status = tern_names_lookup("no-such-server", 0, &none);
    check("NAME0002", "lookup of an unknown name is NOT_FOUND", status == TERN_ERROR_NOT_FOUND, status);
    status = tern_names_register("systest", L4_Myself());
    check("NAME0003", "a task registers a name for its own thread", status == TERN_OK, status);
    status = tern_names_register("systest", L4_Myself());
    check("NAME0004", "registering a taken name is EXISTS", status == TERN_ERROR_EXISTS, status);
    status = tern_names_register("impostor", console);
    check("NAME0005", "registering another task's thread is DENIED", status == TERN_ERROR_DENIED, status);
    L4_Word_t unterminated[5] = {~0UL, ~0UL, ~0UL, ~0UL, 0};
    status = ask(root, TERN_NAMES_LOOKUP, 5, unterminated);
    check("NAME0006", "a name without its NUL is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask(root, TERN_NAMES_LOOKUP, 2, unterminated);
    check("NAME0007", "a lookup with the wrong number of words is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    L4_ThreadId_t me = L4_nilthread;
    status = tern_names_lookup("systest", 0, &me);
    check("NAME0008", "the registered name finds this task", status == TERN_OK && L4_IsThreadEqual(me, L4_Myself()),
          status);

    status = ask(root, 0x7e2f, 0, 0);
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
    status = tern_system_run("no-such-module", &exit_status);
    check("SYS0005", "running a missing module is NOT_FOUND", status == TERN_ERROR_NOT_FOUND, status);
    status = tern_system_run("hello exit=3", &exit_status);
    check("SYS0006", "a run task's exit status comes back", status == TERN_OK && exit_status == 3,
          status * 1000 + exit_status);
    status = tern_system_run("fault", &exit_status);
    check("SYS0007", "a task that faults is ended and reported as KILLED", status == TERN_ERROR_KILLED, status);
    status = tern_system_run("fault io", &exit_status);
    check("SYS0008", "a task that touches ports it lacks is ended as KILLED", status == TERN_ERROR_KILLED, status);
    status = ask(root, TERN_SYSTEM_THREAD, 1, &zero);
    check("SYS0009", "a thread request with the wrong words is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask(root, TERN_SYSTEM_RUN, 0, 0);
    check("SYS0010", "a run request without a command is MALFORMED", status == TERN_ERROR_MALFORMED, status);

    L4_Word_t words[3] = {0, 0, 0};
    status = ask(console, TERN_CONSOLE_WRITE, 1, words);
    check("CON0001", "a write of 0 bytes is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    words[0] = 20;
    status = ask(console, TERN_CONSOLE_WRITE, 2, words);
    check("CON0002", "a write with fewer words than bytes is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    words[0] = TERN_CONSOLE_MAX_BYTES + 1;
    status = ask(console, TERN_CONSOLE_READ, 1, words);
    check("CON0003", "a read of too many bytes is MALFORMED", status == TERN_ERROR_MALFORMED, status);
    status = ask(console, 0x7e4f, 0, 0);
    check("CON0004", "an unknown console request is UNKNOWN", status == TERN_ERROR_UNKNOWN, status);
    status = tern_console_write(console, "console write\n", 14);
    L4_Word_t written = 0;
    L4_StoreMR(1, &written);
    check("CON0005", "a write answers with the bytes written", status == TERN_OK && written == 14, written);
    tern_load(TERN_CONSOLE_INFO, 0, 0);
    L4_MsgTag_t tag = L4_Call(console);
    L4_Word_t mode = 9;
    L4_StoreMR(1, &mode);
    check("CON0006", "the console reports its mode after bad requests",
          tern_status(tag) == TERN_OK && L4_UntypedWords(tag) == 6 && mode <= TERN_CONSOLE_KDB, mode);
    printf("TEST console mode %lu (0 interrupt-driven, 1 polled UART, 2 kernel debug console)\n", mode);
    slot_tests(root, console);

    printf("TEST done %d passed, %d failed\n", passed, failed);
    return failed;
}
