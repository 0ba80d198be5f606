/* SPDX-License-Identifier: MIT */
/* FPU: x87, MMX and SSE registers are per thread (switched lazily by the kernel). The
 * suite is compiled with -mgeneral-regs-only, so the compiler never touches these
 * registers: the tests reach them with inline assembly, and a value left in one survives
 * any amount of ordinary code in between unless the kernel mixes threads up. */
#include "systest.h"

static void set_xmm(L4_Word_t value) { __asm__ __volatile__("movq %0, %%xmm3" : : "r"(value)); }

static L4_Word_t get_xmm(void)
{
    L4_Word_t value;
    __asm__ __volatile__("movq %%xmm3, %0" : "=r"(value));
    return value;
}

static L4_Word_t get_xmm5(void)
{
    L4_Word_t value;
    __asm__ __volatile__("movq %%xmm5, %0" : "=r"(value));
    return value;
}

static unsigned get_mxcsr(void)
{
    unsigned value;
    __asm__ __volatile__("stmxcsr %0" : "=m"(value));
    return value;
}

static void set_mxcsr(unsigned value) { __asm__ __volatile__("ldmxcsr %0" : : "m"(value)); }

static unsigned short get_fcw(void)
{
    unsigned short value;
    __asm__ __volatile__("fnstcw %0" : "=m"(value));
    return value;
}

static void set_fcw(unsigned short value) { __asm__ __volatile__("fldcw %0" : : "m"(value)); }

#define PATTERN_MAIN 0x6d61696e6d61696eUL
#define PATTERN_OTHER 0x6f746865726f7468UL
#define ONE_AS_DOUBLE 0x3ff0000000000000UL
#define DEFAULT_MXCSR 0x1f80u
#define DEFAULT_FCW 0x037fu

static void sse_and_x87_work(void)
{
    set_xmm(PATTERN_MAIN);
    CHECK(get_xmm() == PATTERN_MAIN, "xmm3 read back %#lx", get_xmm());
    L4_Word_t one = 0;
    __asm__ __volatile__("fld1\n\tfstpl %0" : "=m"(one));
    CHECK(one == ONE_AS_DOUBLE, "fld1; fstp gave %#lx", one);
}

/* The other thread sets its own xmm3, lets main run, and reports what it finds after. */
static void xmm_other(L4_Word_t arg)
{
    (void)arg;
    set_xmm(PATTERN_OTHER);
    report_to_main(1, get_xmm(), 0, 0);
    L4_MsgTag_t tag = recv_ms(main_tid, 2000, 0);
    report_to_main(2, (L4_Word_t)is_label(tag, LABEL_START), get_xmm(), 0);
    park();
}

static void xmm_per_thread(void)
{
    set_xmm(PATTERN_MAIN);
    L4_ThreadId_t t = spawn_simple(xmm_other, 0);
    CHECK(!L4_IsNilThread(t), "spawn failed");
    L4_MsgTag_t tag = recv_ms(t, 2000, 0);
    L4_Word_t seen = mr(1);
    L4_Word_t mine = get_xmm();
    if (!is_label(tag, LABEL_REPORT)) {
        kill_thread(t);
        CHECK(0, "no first report (tag %#lx)", tag.raw);
    }
    load_msg(LABEL_START, 0, 0, 0, 0);
    send_ms(t, 1000);
    tag = recv_ms(t, 2000, 0);
    L4_Word_t started = mr(1), later = mr(2);
    kill_thread(t);
    CHECK(is_label(tag, LABEL_REPORT) && started, "no second report (tag %#lx)", tag.raw);
    CHECK(seen == PATTERN_OTHER, "the other thread read back %#lx", seen);
    CHECK(mine == PATTERN_MAIN, "main's xmm3 became %#lx after the other thread ran", mine);
    CHECK(later == PATTERN_OTHER, "the other thread's xmm3 became %#lx after main ran", later);
    CHECK(get_xmm() == PATTERN_MAIN, "main's xmm3 is %#lx at the end", get_xmm());
}

static void fresh_state_reporter(L4_Word_t arg)
{
    (void)arg;
    report_to_main(3, get_xmm5(), get_mxcsr(), get_fcw());
    park();
}

static void new_thread_initial_state(void)
{
    unsigned old_mxcsr = get_mxcsr();
    unsigned short old_fcw = get_fcw();
    __asm__ __volatile__("movq %0, %%xmm5" : : "r"(PATTERN_MAIN));
    set_mxcsr(DEFAULT_MXCSR | 0x6000u); /* round toward zero */
    set_fcw(0x0c7f);                    /* x87 round toward zero */
    L4_ThreadId_t t = spawn_simple(fresh_state_reporter, 0);
    L4_MsgTag_t tag = L4_IsNilThread(t) ? L4_Niltag : recv_ms(t, 2000, 0);
    L4_Word_t xmm5 = mr(1), mxcsr = mr(2), fcw = mr(3);
    if (!L4_IsNilThread(t))
        kill_thread(t);
    set_mxcsr(old_mxcsr);
    set_fcw(old_fcw);
    CHECK(is_label(tag, LABEL_REPORT), "no report (tag %#lx)", tag.raw);
    CHECK(xmm5 == 0, "the new thread's xmm5 was %#lx, not 0 (another thread's value leaked)", xmm5);
    CHECK(mxcsr == DEFAULT_MXCSR, "the new thread's MXCSR was %#lx, expected %#x", mxcsr, DEFAULT_MXCSR);
    CHECK(fcw == DEFAULT_FCW, "the new thread's x87 control word was %#lx, expected %#x", fcw, DEFAULT_FCW);
}

static void x87_clobberer(L4_Word_t arg)
{
    (void)arg;
    __asm__ __volatile__("fninit\n\tfldz\n\tfldz\n\tfldz" ::: "memory");
    report_to_main(0, 0, 0, 0);
    park();
}

static void x87_stack_per_thread(void)
{
    __asm__ __volatile__("fninit\n\tfld1" ::: "memory"); /* st(0) = 1.0 */
    L4_ThreadId_t t = spawn_simple(x87_clobberer, 0);
    L4_MsgTag_t tag = L4_IsNilThread(t) ? L4_Niltag : recv_ms(t, 2000, 0);
    L4_Word_t value = 0;
    __asm__ __volatile__("fstpl %0" : "=m"(value));
    if (!L4_IsNilThread(t))
        kill_thread(t);
    CHECK(is_label(tag, LABEL_REPORT), "no report (tag %#lx)", tag.raw);
    CHECK(value == ONE_AS_DOUBLE, "main's st(0) became %#lx after another thread reset its x87 state", value);
}

/* 1 / 0 on the x87 with divide-by-zero unmasked in the control word (by the caller): the
 * fault is delivered at the next x87 instruction, the fwait, as #MF. (QEMU's TCG does not
 * raise #XM for unmasked SSE exceptions, so the x87 one is what can be tested here.) */
__asm__(".text\n.globl fpu_divide_by_zero\n.type fpu_divide_by_zero, @function\nfpu_divide_by_zero:\n"
        "    fld1\n    fldz\n    fdivrp\n"
        ".globl fpu_fwait_at\nfpu_fwait_at: fwait\n    fninit\n    ret\n");
void fpu_divide_by_zero(void);
extern char fpu_fwait_at[];

static void x87_faulter(L4_Word_t arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(main_tid);
    set_fcw(DEFAULT_FCW & ~0x4u);
    fpu_divide_by_zero();
    report_to_main(0, 0, 0, 0);
    park();
}

static void x87_exception_ipc(void)
{
    L4_ThreadId_t t = spawn_simple(x87_faulter, 0);
    CHECK(!L4_IsNilThread(t), "spawn failed");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(t, 2000, &from);
    L4_Word_t vector = mr(X_VECTOR), rip = mr(X_RIP);
    kill_thread(t);
    CHECK(is_exception(tag), "no exception message (tag %#lx)", tag.raw);
    CHECK(vector == 16, "vector %lu, expected 16 (#MF)", vector);
    CHECK(rip == (L4_Word_t)fpu_fwait_at, "rip %#lx, expected the fwait at %#lx", rip, (L4_Word_t)fpu_fwait_at);
}

static void owner_then_deleted(L4_Word_t arg)
{
    (void)arg;
    set_xmm(PATTERN_OTHER); /* takes the registers from main */
    report_to_main(0, 0, 0, 0);
    park();
}

static void deleted_owner(void)
{
    set_xmm(PATTERN_MAIN);
    for (int round = 0; round < 3; ++round) {
        L4_ThreadId_t t = spawn_simple(owner_then_deleted, 0);
        CHECK(!L4_IsNilThread(t), "spawn failed in round %d", round);
        L4_MsgTag_t tag = recv_ms(t, 2000, 0);
        kill_thread(t); /* deleted while it owns the registers */
        CHECK(is_label(tag, LABEL_REPORT), "no report in round %d (tag %#lx)", round, tag.raw);
        CHECK(get_xmm() == PATTERN_MAIN, "main's xmm3 is %#lx after the owner's deletion in round %d", get_xmm(),
              round);
    }
}

/* FPU0007: calls and replies that could take the IPC fast path between two threads that
 * both use xmm3: the fast path must not switch away from the registers' owner without
 * making the next thread trap (the owner's gate sends it the general way). */
static void xmm_echo(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (L4_Word_t round = 0;; ++round) {
        set_xmm(PATTERN_OTHER + round);
        L4_LoadMR(1, get_xmm());
        tag.raw = LABEL_REPORT << 16 | 1;
        L4_Set_MsgTag(tag);
        tag = L4_ReplyWait(from, &from);
    }
}

static void xmm_across_fast_ipc(void)
{
    L4_ThreadId_t t = spawn(xmm_echo, 0, 255, sigma0_tid);
    CHECK(!L4_IsNilThread(t), "spawn failed");
    for (L4_Word_t round = 0; round < 50 && !failed_now(); ++round) {
        set_xmm(PATTERN_MAIN + round);
        L4_Set_MsgTag(L4_Niltag);
        L4_MsgTag_t tag = L4_Call(t);
        CHECK(L4_IpcSucceeded(tag), "call %lu failed, ErrorCode %lu", round, L4_ErrorCode());
        CHECK(mr(1) == PATTERN_OTHER + round, "round %lu: the echo thread read back %#lx from its xmm3", round, mr(1));
        CHECK(get_xmm() == PATTERN_MAIN + round, "round %lu: main's xmm3 is %#lx after the call, expected %#lx", round,
              get_xmm(), PATTERN_MAIN + round);
    }
}

static const struct systest fpu_tests[] = {
    {"FPU0001", "SSE and x87 instructions work in user mode", sse_and_x87_work},
    {"FPU0002", "each thread keeps its own XMM registers across switches both ways", xmm_per_thread},
    {"FPU0003", "a new thread starts with zero XMM registers and default MXCSR and x87 control word",
     new_thread_initial_state},
    {"FPU0004", "the x87 register stack is per thread", x87_stack_per_thread},
    {"FPU0005", "an unmasked x87 divide by zero arrives at the exception handler as vector 16 (#MF)",
     x87_exception_ipc},
    {"FPU0006", "deleting the thread that owns the FPU registers leaves the others' state intact", deleted_owner},
    {"FPU0007", "two threads using xmm3 keep their own values across 50 call and reply-and-wait round trips",
     xmm_across_fast_ipc},
};
SYSTEST_GROUP(fpu) = {"fpu", fpu_tests, SYSTEST_COUNT(fpu_tests)};
