/* SPDX-License-Identifier: MIT */
/* CLK: SystemClock. ERR: ProcessorControl and MemoryControl. KDB: the debug calls.
 * Also the unprivileged child whose results several groups check. */
#include "systest.h"

#include <l4/tern/kernel_log.h>
#include <string.h>

/* ------------------------------------------------------------------ unprivileged child */

static struct unpriv_results unpriv;
static int unpriv_attempted;

static void unpriv_child(void)
{
    L4_Word_t w[2 * U_COUNT];
    L4_Word_t old;
    L4_Word_t attributes[4] = {0, 0, 0, 0};

    set_error_code(0xee);
    w[2 * U_THREAD_CONTROL] = L4_ThreadControl(L4_GlobalId(UNPRIV_CREATED_NUMBER, 1), L4_Myself(), L4_Myself(),
                                               L4_nilthread, (void *)-1);
    w[2 * U_THREAD_CONTROL + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_SPACE_CONTROL] = L4_SpaceControl(L4_Myself(), 0, L4_Nilpage, L4_Nilpage, L4_nilthread, &old);
    w[2 * U_SPACE_CONTROL + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_KERNEL_MODE_SELF] = L4_SpaceControl(L4_Myself(), TERN_SPACE_CONTROL_KERNEL_MODE_MASK, L4_Nilpage,
                                                L4_Nilpage, L4_nilthread, &old);
    w[2 * U_KERNEL_MODE_SELF + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_KERNEL_MODE_MAIN] = L4_SpaceControl(main_tid, TERN_SPACE_CONTROL_KERNEL_MODE_MASK, L4_Nilpage,
                                                L4_Nilpage, L4_nilthread, &old);
    w[2 * U_KERNEL_MODE_MAIN + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_PROCESSOR_CONTROL] = L4_ProcessorControl(0, 0, 0, 0);
    w[2 * U_PROCESSOR_CONTROL + 1] = L4_ErrorCode();

    set_error_code(0xee);
    L4_LoadMR(0, L4_FpageLog2(0x400000, 12).raw);
    w[2 * U_MEMORY_CONTROL] = L4_MemoryControl(0, attributes);
    w[2 * U_MEMORY_CONTROL + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_SCHEDULE_MAIN] = L4_Schedule(main_tid, ~0UL, ~0UL, 10, ~0UL, &old);
    w[2 * U_SCHEDULE_MAIN + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_SCHEDULE_SELF] = L4_Schedule(L4_Myself(), ~0UL, ~0UL, 200, ~0UL, &old);
    w[2 * U_SCHEDULE_SELF + 1] = L4_ErrorCode();

    set_error_code(0xee);
    kdb_exit(1); /* must come back: only privileged tasks may end the run */
    w[2 * U_KDB_EXIT] = 0;
    w[2 * U_KDB_EXIT + 1] = L4_ErrorCode();

    set_error_code(0xee);
    w[2 * U_DELETE_MAIN] = L4_ThreadControl(main_tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    w[2 * U_DELETE_MAIN + 1] = L4_ErrorCode();

    L4_Word_t control, sp, ip, flags, handle;
    L4_ThreadId_t pager;
    set_error_code(0xee);
    w[2 * U_EXREGS_MAIN] =
        L4_ExchangeRegisters(main_tid, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp, &ip, &flags, &handle, &pager).raw;
    w[2 * U_EXREGS_MAIN + 1] = L4_ErrorCode();

    load_words(LABEL_REPORT, 2 * U_COUNT, w);
    send_ms(main_tid, 2000);
    park();
}

const struct unpriv_results *unprivileged_results(void)
{
    if (unpriv_attempted)
        return &unpriv;
    unpriv_attempted = 1;
    L4_ThreadId_t child = spawn_child(unpriv_child, 0);
    if (L4_IsNilThread(child)) {
        snprintf(unpriv.why, sizeof unpriv.why, "the unprivileged child could not be started");
        return &unpriv;
    }
    L4_MsgTag_t tag = serve_child(child, 3000, 0);
    if (!is_label(tag, LABEL_REPORT) || L4_UntypedWords(tag) != 2 * U_COUNT) {
        snprintf(unpriv.why, sizeof unpriv.why, "the unprivileged child did not report (tag %#lx, ErrorCode %lu)",
                tag.raw, L4_ErrorCode());
        return &unpriv;
    }
    for (int i = 0; i < U_COUNT; ++i) {
        unpriv.result[i] = mr(1 + 2 * i);
        unpriv.error[i] = mr(2 + 2 * i);
    }
    unpriv.valid = 1;
    set_error_code(0xee);
    L4_Word_t mode = suite_in_ring0() ? TERN_SPACE_CONTROL_KERNEL_MODE_MASK : 0;  /* (the child's, unchanged) */
    if (L4_SpaceControl(child, mode, L4_Nilpage, L4_Nilpage, L4_nilthread, &unpriv.child_control) != 1) {
        snprintf(unpriv.why, sizeof unpriv.why, "reading the child's control word failed (ErrorCode %lu)",
                 L4_ErrorCode());
        unpriv.valid = 0;
    }
    /* Should the kernel have let it create a thread, do not leave it behind. */
    L4_ThreadControl(L4_GlobalId(UNPRIV_CREATED_NUMBER, 1), L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    return &unpriv;
}

/* ------------------------------------------------------------------ CLK */

static void clock_monotonic(void)
{
    L4_Word_t previous = now_us();
    for (int i = 0; i < 1000; ++i) {
        L4_Word_t now = now_us();
        CHECK(now >= previous, "clock went back from %lu to %lu at reading %d", previous, now, i);
        previous = now;
    }
    CHECK(previous > 0, "clock reads 0");
}

static void clock_advances_with_sleep(void)
{
    L4_Word_t before = now_us();
    sleep_ms(50);
    L4_Word_t elapsed = now_us() - before;
    CHECK(elapsed >= period_us(50), "a 50 ms (%lu us) sleep took only %lu us by the clock", period_us(50), elapsed);
    CHECK(elapsed < 1000000, "a 50 ms sleep took %lu us", elapsed);
}

static L4_Word_t clock_seen;

static void clock_reader(L4_Word_t arg)
{
    (void)arg;
    clock_seen = now_us();
    report_to_main(1, clock_seen, 0, 0);
}

static void clock_shared(void)
{
    L4_Word_t before = now_us();
    L4_ThreadId_t t = spawn_simple(clock_reader, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    L4_Word_t after = now_us();
    CHECK(is_label(tag, LABEL_REPORT), "no report from the reader thread (tag %#lx, ErrorCode %lu)", tag.raw,
          L4_ErrorCode());
    L4_Word_t seen = mr(1);
    CHECK(seen >= before && seen <= after, "other thread read %lu, not within [%lu, %lu]", seen, before, after);
}

static void clock_resolution(void)
{
    L4_Word_t first = now_us(), next = first;
    L4_Word_t spins = 0;
    while (next == first && spins < 100000000UL) {
        next = now_us();
        ++spins;
    }
    CHECK(next != first, "clock did not change in %lu readings", spins);
    CHECK(next - first < 1000, "smallest observed clock step is %lu us, expected below 1 ms (the timer tick is 10 ms)",
          next - first);
}

/* ------------------------------------------------------------------ ERR */

static void processor_control_privileged(void)
{
    set_error_code(0xee);
    L4_Word_t r = L4_ProcessorControl(0, 0, 0, 0);
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM, "result %lu, ErrorCode %lu; expected 0 and 5", r,
          L4_ErrorCode());
}

static void memory_control_privileged(void)
{
    L4_Word_t attributes[4] = {0, 0, 0, 0};
    set_error_code(0xee);
    L4_LoadMR(0, L4_FpageLog2(WINDOW(0), 12).raw);
    L4_Word_t r = L4_MemoryControl(0, attributes);
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM, "result %lu, ErrorCode %lu; expected 0 and 5", r,
          L4_ErrorCode());
}

static void processor_control_unprivileged(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_PROCESSOR_CONTROL] == 0 && u->error[U_PROCESSOR_CONTROL] == L4_ERROR_NO_PRIVILEGE,
          "result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_PROCESSOR_CONTROL], u->error[U_PROCESSOR_CONTROL]);
}

static void memory_control_unprivileged(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_MEMORY_CONTROL] == 0 && u->error[U_MEMORY_CONTROL] == L4_ERROR_NO_PRIVILEGE,
          "result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_MEMORY_CONTROL], u->error[U_MEMORY_CONTROL]);
}

/* ------------------------------------------------------------------ KDB */

static void kdb_enter_returns(void)
{
    L4_Word_t before = now_us();
    L4_KDB_Enter("systest KDB0001: kdb_enter returns");
    CHECK(now_us() >= before, "clock broken after kdb_enter");
    /* Still able to do IPC afterwards. */
    L4_MsgTag_t tag = recv_ms(sigma0_tid, 0, 0);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "zero-timeout receive after kdb_enter gave tag %#lx ErrorCode %lu", tag.raw, L4_ErrorCode());
}

/* KDB0004 (Tern's): the kernel_log system call reads back what the kernel console printed,
 * kdb_output's bytes included, from any position. */
static void kernel_log_reads_back(void)
{
    static const char marker[] = "systest KDB0004 marker 0123456789\n";
    L4_Word_t total = 0, first = 0, after = 0;
    char byte;
    (void)tern_kernel_log(0, &byte, 0, &total, &first);
    for (const char *c = marker; *c != '\0'; ++c)
        L4_KDB_PrintChar(*c);
    static char tail[64];
    L4_Word_t n = tern_kernel_log(total, tail, sizeof tail, &after, &first);
    CHECK(after == total + sizeof marker - 1, "the log grew from %lu to %lu bytes for a %lu-byte line", total, after,
          (L4_Word_t)(sizeof marker - 1));
    CHECK(n == sizeof marker - 1 && memcmp(tail, marker, n) == 0, "the log's new bytes are not the line printed");
    n = tern_kernel_log(total + 7, tail, 5, &after, &first);
    CHECK(n == 5 && memcmp(tail, marker + 7, 5) == 0, "a read from the middle of the line is wrong");
    CHECK(tern_kernel_log(after + 100, tail, sizeof tail, &after, &first) == 0, "a read past the end gave bytes");
    CHECK(first + 16384 >= after && first <= total, "the log holds %lu bytes (first %lu, total %lu), not the last 16 KiB",
          after - first, first, after);
    if (first > 0) {
        L4_Word_t old = tern_kernel_log(0, tail, 8, &after, &first);
        CHECK(old == 8, "a position before the oldest held read %lu bytes, not the oldest 8", old);
    }
}

static void kdb_enter_bad_pointers(void)
{
    L4_Word_t entry = (L4_Word_t)kip + *(L4_Word_t *)((L4_Word_t)kip + TERN_KIP_LINK_ARCH1);
    __tern_syscall_kdb_enter(entry, WINDOW(1));            /* unmapped */
    __tern_syscall_kdb_enter(entry, 0xffff800000000000UL); /* kernel */
    __tern_syscall_kdb_enter(entry, 0x0000900000000000UL); /* non-canonical */
    __tern_syscall_kdb_enter(entry, KIP_AREA + (1UL << KIP_AREA_LOG2) - 8); /* runs off the end of the KIP area */
    L4_MsgTag_t tag = recv_ms(sigma0_tid, 0, 0);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "zero-timeout receive afterwards gave tag %#lx ErrorCode %lu", tag.raw, L4_ErrorCode());
}

static void kdb_exit_unprivileged(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->error[U_KDB_EXIT] == L4_ERROR_NO_PRIVILEGE, "kdb_exit returned to the unprivileged caller with ErrorCode %lu, expected 1",
          u->error[U_KDB_EXIT]);
}

static const struct systest clock_tests[] = {
    {"CLK0001", "SystemClock never goes back over 1000 readings", clock_monotonic},
    {"CLK0002", "SystemClock advances at least 50 ms across a 50 ms receive timeout", clock_advances_with_sleep},
    {"CLK0003", "SystemClock read by another thread lies between the main thread's readings", clock_shared},
    {"CLK0004", "SystemClock has microsecond resolution (steps below 1 ms)", clock_resolution},
};
SYSTEST_GROUP(clock) = {"clock", clock_tests, SYSTEST_COUNT(clock_tests)};

static const struct systest misc_tests[] = {
    {"ERR0001", "ProcessorControl by a privileged thread returns 0 with invalid parameter (5)",
     processor_control_privileged},
    {"ERR0002", "MemoryControl by a privileged thread returns 0 with invalid parameter (5)", memory_control_privileged},
    {"ERR0003", "ProcessorControl by an unprivileged thread returns 0 with no privilege (1)",
     processor_control_unprivileged},
    {"ERR0004", "MemoryControl by an unprivileged thread returns 0 with no privilege (1)", memory_control_unprivileged},
    {"KDB0001", "kdb_enter prints and returns to the caller", kdb_enter_returns},
    {"KDB0002", "kdb_enter with unmapped, kernel and non-canonical pointers returns harmlessly",
     kdb_enter_bad_pointers},
    {"KDB0003", "kdb_exit from an unprivileged space is refused with no privilege (1) and returns",
     kdb_exit_unprivileged},
    {"KDB0004", "kernel_log (Tern's) reads back what the kernel console printed, from any position, the last 16 KiB",
     kernel_log_reads_back},
};
SYSTEST_GROUP(misc) = {"misc", misc_tests, SYSTEST_COUNT(misc_tests)};
