/* SPDX-License-Identifier: MIT */
/* The system's own tests, run as a task by the shell's "test": the name service, the
 * root task's system protocol and the console protocol, including the errors every
 * malformed or unpermitted request must get (and that the servers keep serving after
 * them). One line each, "TEST ok ID description" or "TEST not ok ID description: why",
 * then "TEST done N passed, M failed"; the exit status is the number failed. */
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

int main(void)
{
    L4_ThreadId_t root = tern_root_thread(), console = L4_nilthread;
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
          tern_status(tag) == TERN_OK && L4_UntypedWords(tag) == 4 && mode <= TERN_CONSOLE_KDB, mode);
    printf("TEST console mode %lu (0 interrupt-driven, 1 polled UART, 2 kernel debug console)\n", mode);

    printf("TEST done %d passed, %d failed\n", passed, failed);
    return failed;
}
