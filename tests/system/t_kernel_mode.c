/* SPDX-License-Identifier: MIT */
/* KMT: kernel-mode tasks (SpaceControl's kernel_mode bit). Who may make one, and that its
 * threads run in ring 0 with the faults, exceptions, preemption and IPC of a ring-3 task.
 * The children run the root task's code, mapped on demand by the main thread (their pager),
 * as spawn_child's always do. */
#include "systest.h"

#define KERNEL_MODE TERN_SPACE_CONTROL_KERNEL_MODE_MASK
#define KIP8K L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2)
#define UTCB64K L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2)
/* Nothing is mapped here in a child's space, and the main thread's fault service refuses it
 * (it is outside the root task's image). */
#define UNMAPPED_STACK_TOP 0x0000600000001000UL
#define KERNEL_HALF_IP 0xffffffff80100000UL


static L4_ThreadId_t spawn_kernel_mode(void (*fn)(void), unsigned stack)
{
    return spawn_child_in(fn, stack, KERNEL_MODE);
}

static L4_Word_t code_segment(void)
{
    L4_Word_t cs;
    __asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
    return cs;
}

static void unprivileged_cannot(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_KERNEL_MODE_SELF] == 0 && u->error[U_KERNEL_MODE_SELF] == L4_ERROR_NO_PRIVILEGE,
          "asking for its own space: result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_KERNEL_MODE_SELF],
          u->error[U_KERNEL_MODE_SELF]);
    CHECK(u->result[U_KERNEL_MODE_MAIN] == 0 && u->error[U_KERNEL_MODE_MAIN] == L4_ERROR_NO_PRIVILEGE,
          "asking for the root task's space: result %lu, ErrorCode %lu; expected 0 and 1",
          u->result[U_KERNEL_MODE_MAIN], u->error[U_KERNEL_MODE_MAIN]);
    /* Both spaces keep the suite's mode (ring 3, or ring 0 with roottask=kernel). */
    L4_Word_t mode = suite_in_ring0() ? KERNEL_MODE : 0;
    CHECK(u->child_control == mode, "the child's space changed (control %#lx, expected %#lx)", u->child_control, mode);
    L4_Word_t old = ~0UL;
    CHECK(space_control(main_tid, mode, L4_Nilpage, L4_Nilpage, &old) == 1 && old == mode,
          "the root task's space changed: SpaceControl gave ErrorCode %lu, old control %#lx", L4_ErrorCode(), old);
    CHECK((code_segment() & 3) == (mode != 0 ? 0 : 3), "the root task runs with cs %#lx", code_segment());
}

static void only_with_the_areas(void)
{
    L4_Word_t old = ~0UL;
    L4_ThreadId_t ring3 = fresh_space();
    CHECK(!L4_IsNilThread(ring3), "no space");
    CHECK(space_control(ring3, 0, KIP8K, UTCB64K, 0) == 1, "areas refused (ErrorCode %lu)", L4_ErrorCode());
    CHECK(space_control(ring3, KERNEL_MODE, L4_Nilpage, L4_Nilpage, 0) == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM,
          "kernel mode after the areas: ErrorCode %lu, expected 5", L4_ErrorCode());
    CHECK(space_control(ring3, 0, L4_Nilpage, L4_Nilpage, &old) == 1 && old == 0,
          "the refused call changed the space (ErrorCode %lu, old control %#lx)", L4_ErrorCode(), old);

    L4_ThreadId_t ring0 = fresh_space();
    CHECK(!L4_IsNilThread(ring0), "no space");
    CHECK(space_control(ring0, KERNEL_MODE, KIP8K, UTCB64K, &old) == 1 && old == 0,
          "kernel mode with the areas: ErrorCode %lu, old control %#lx", L4_ErrorCode(), old);
    CHECK(space_control(ring0, 0, L4_Nilpage, L4_Nilpage, 0) == 0 && L4_ErrorCode() == L4_ERROR_INVALID_PARAM,
          "clearing kernel mode: ErrorCode %lu, expected 5", L4_ErrorCode());
    CHECK(space_control(ring0, KERNEL_MODE, L4_Nilpage, L4_Nilpage, &old) == 1 && old == KERNEL_MODE,
          "old control %#lx (ErrorCode %lu), expected the kernel-mode bit alone", old, L4_ErrorCode());

    L4_ThreadId_t refused = fresh_space();
    CHECK(!L4_IsNilThread(refused), "no space");
    CHECK(space_control(refused, KERNEL_MODE, L4_FpageLog2(KIP_AREA, 11), UTCB64K, 0) == 0 && L4_ErrorCode() == L4_ERROR_KIP_AREA,
          "kernel mode with a 2 KiB KIP area: ErrorCode %lu, expected 7", L4_ErrorCode());
    CHECK(space_control(refused, 0, KIP8K, UTCB64K, &old) == 1 && old == 0,
          "the refused call left the space kernel-mode (ErrorCode %lu, old control %#lx)", L4_ErrorCode(), old);
}

/* Reports its code segment, then answers every message with its first word plus one. */
static void ring_reporter(void)
{
    report_to_main(1, code_segment(), 0, 0);
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t word = L4_IpcSucceeded(tag) ? mr(1) : 0;
        load_msg(LABEL_REPORT, 1, word + 1, 0, 0);
        tag = L4_ReplyWait(from, &from);
    }
}

static void ipc_both_ways(void)
{
    L4_ThreadId_t child = spawn_kernel_mode(ring_reporter, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report from the kernel-mode child (tag %#lx, ErrorCode %lu)", tag.raw,
          L4_ErrorCode());
    CHECK((mr(1) & 3) == 0, "the kernel-mode child runs with cs %#lx, not in ring 0", mr(1));
    for (L4_Word_t word = 41; word < 44; ++word) {
        load_msg(LABEL_PING, 1, word, 0, 0);
        tag = call_child(child, L4_Never, ms_time(2000));
        CHECK(is_label(tag, LABEL_REPORT) && mr(1) == word + 1,
              "call %lu to the kernel-mode child: tag %#lx, word %#lx, ErrorCode %lu", word - 40, tag.raw, mr(1),
              L4_ErrorCode());
    }
}

static volatile L4_Word_t fault_target[PAGE_SIZE / sizeof(L4_Word_t)] __attribute__((aligned(PAGE_SIZE)));

static void page_reader(void)
{
    report_to_main(2, fault_target[7], (L4_Word_t)&fault_target[7], 0);
    park();
}

static void page_fault_to_pager(void)
{
    fault_target[7] = 0x6b6d74;
    fault_log_count = 0;
    L4_ThreadId_t child = spawn_kernel_mode(page_reader, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
    CHECK(mr(1) == 0x6b6d74, "the child read %#lx, expected 0x6b6d74", mr(1));
    L4_Word_t page = (L4_Word_t)fault_target;
    for (unsigned i = 0; i < fault_log_count; ++i)
        if (fault_log[i].from == child.raw && (fault_log[i].address & ~(PAGE_SIZE - 1)) == page) {
            CHECK((fault_log[i].label & 4) != 0, "the fault on the data page has access %#lx, without read",
                  fault_log[i].label & 7);
            return;
        }
    fail("no page fault for the data page at %#lx reached the pager (%u faults logged)", page, fault_log_count);
}

static volatile L4_Word_t spins;

static void spinner(void)
{
    /* Reading it first has its page mapped (writable) while the main thread serves faults. */
    report_to_main(1, spins, 0, 0);
    for (;;)
        ++spins;
}

static void timer_preempts(void)
{
    L4_ThreadId_t child = spawn_kernel_mode(spinner, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
    /* While this thread sleeps the child spins in ring 0 with interrupts on; only the timer
     * interrupt, taken in ring 0, brings this thread back. */
    for (int round = 0; round < 3; ++round) {
        L4_Word_t before = spins;
        L4_Word_t start = now_us();
        sleep_ms(10);
        L4_Word_t slept = now_us() - start;
        CHECK(spins != before, "round %d: the child did not run while this thread slept", round);
        CHECK(slept < 500000, "round %d: a 10 ms sleep took %lu us", round, slept);
    }
}

/* ud2 at a known address, then back to the caller once the handler skips it. */
__asm__(".text\n.globl kmt_ud2_site\nkmt_ud2_site:\n\tud2\n\tret\n");
extern void kmt_ud2_site(void);

static void faulting_child(void)
{
    L4_Set_ExceptionHandler(main_tid);
    kmt_ud2_site();
    report_to_main(1, 0x600d, 0, 0);
    park();
}

static void exception_ipc(void)
{
    L4_ThreadId_t child = spawn_kernel_mode(faulting_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag), "no exception IPC for ud2 in ring 0 (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
    CHECK(mr(X_VECTOR) == 6 && mr(X_RIP) == (L4_Word_t)kmt_ud2_site, "vector %lu at %#lx, expected 6 at %#lx",
          mr(X_VECTOR), mr(X_RIP), (L4_Word_t)kmt_ud2_site);
    tag = reply_exception(child, mr(X_RIP) + 2, mr(X_RAX));
    CHECK(L4_IpcSucceeded(tag), "the reply failed (ErrorCode %lu)", L4_ErrorCode());
    tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == 0x600d, "the child did not go on after the reply (tag %#lx)",
          tag.raw);
}

__asm__(".text\n.globl kmt_overflow_site\nkmt_overflow_site:\n\tpush %rax\n\tjmp kmt_overflow_site\n");
extern void kmt_overflow_site(void);

static void overflowing_child(void)
{
    __asm__ __volatile__("mov %0, %%rsp\n\tjmp kmt_overflow_site" : : "r"(UNMAPPED_STACK_TOP) : "memory");
}

static void stack_overflow_reported(void)
{
    for (int round = 0; round < 2; ++round) {
        L4_ThreadId_t child = spawn_kernel_mode(overflowing_child, 0);
        CHECK(!L4_IsNilThread(child), "no child");
        L4_MsgTag_t tag;
        L4_ThreadId_t from;
        /* Its code pages come first, then the push onto the missing stack. */
        for (int faults = 0;; ++faults) {
            tag = recv_ms(child, 2000, &from);
            CHECK(faults < 50 && is_page_fault(tag), "no page fault for the stack (tag %#lx, ErrorCode %lu)",
                  tag.raw, L4_ErrorCode());
            if (mr(1) >= image_low && mr(1) < image_high) {
                CHECK(answer_page_fault(from), "a code page could not be given");
                continue;
            }
            break;
        }
        CHECK(mr(1) == UNMAPPED_STACK_TOP - 8 && mr(2) == (L4_Word_t)kmt_overflow_site,
              "fault at %#lx from %#lx, expected %#lx from %#lx", mr(1), mr(2), UNMAPPED_STACK_TOP - 8,
              (L4_Word_t)kmt_overflow_site);
        CHECK((L4_Label(tag) & 2) != 0, "the push's fault has access %#lx, without write", L4_Label(tag) & 7);
        kill_thread(child);
    }
}

static void parked_child(void)
{
    L4_Set_ExceptionHandler(main_tid);
    report_to_main(0, 0, 0, 0);
    park();
}

static void kernel_half_ip_refused(void)
{
    static const struct {
        L4_Word_t control, sp, ip;
        const char *what;
    } cases[] = {
        {0x10 | 0x02, 0, KERNEL_HALF_IP, "IP"},
        {0x08 | 0x02, 0xffff800000002000UL, 0, "SP"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        L4_ThreadId_t child = spawn_kernel_mode(parked_child, 0);
        CHECK(!L4_IsNilThread(child), "no child");
        L4_MsgTag_t tag = serve_child(child, 2000, 0);
        CHECK(is_label(tag, LABEL_REPORT), "no report (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
        L4_Word_t control, sp, ip, flags, handle;
        L4_ThreadId_t pager;
        L4_ThreadId_t result = L4_ExchangeRegisters(child, cases[i].control, cases[i].sp, cases[i].ip, 0, 0,
                                                    L4_nilthread, &control, &sp, &ip, &flags, &handle, &pager);
        CHECK(!L4_IsNilThread(result), "setting a kernel-half %s failed (ErrorCode %lu)", cases[i].what,
              L4_ErrorCode());
        tag = serve_child(child, 2000, 0);
        CHECK(is_exception(tag) && mr(X_VECTOR) == 13 && mr(X_ERROR) == 0,
              "kernel-half %s: no #GP(0) exception IPC (tag %#lx, vector %lu)", cases[i].what, tag.raw, mr(X_VECTOR));
        if (cases[i].ip != 0)
            CHECK(mr(X_RIP) == cases[i].ip, "#GP reported at %#lx, expected %#lx", mr(X_RIP), cases[i].ip);
        else
            CHECK(mr(X_RSP) == cases[i].sp, "#GP reported with rsp %#lx, expected %#lx", mr(X_RSP), cases[i].sp);
        kill_thread(child);
    }
}

/* --- the fast path between rings (KMT0009) --- */

static volatile L4_ThreadId_t echo_partner;

/* Warms up with 12 calls to echo_partner (page faults of both, the closed-waiter setup),
 * then reports how many IPCs the general path took during 100 more. */
static void measuring_caller(void)
{
    L4_ThreadId_t partner = echo_partner;
    /* Reading the count first has its page mapped now: the main thread's receive after
     * serving that fault would count as a general IPC inside the measured calls. */
    (void)general_ipcs();
    L4_Word_t failures = call_rounds(partner, 12);
    L4_Word_t before = general_ipcs();
    failures += call_rounds(partner, 100);
    report_to_main(2, general_ipcs() - before, failures, 0);
    park();
}

/* A caller in the given mode calls an echo in the given mode 100 times; the general IPCs. */
static L4_Word_t general_ipcs_between(L4_Word_t caller_control, L4_Word_t echo_control, const char *what)
{
    L4_ThreadId_t callee = spawn_child_in(child_echo, 1, echo_control);
    if (L4_IsNilThread(callee))
        return ~0UL;
    (void)serve_child(callee, 300, 0);  /* its faults until it waits */
    echo_partner = callee;
    L4_ThreadId_t caller = spawn_child_in(measuring_caller, 2, caller_control);
    if (L4_IsNilThread(caller))
        return ~0UL;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = serve_child(L4_anythread, 3000, &from);
    if (!is_label(tag, LABEL_REPORT) || from.raw != caller.raw || mr(2) != 0) {
        fail("%s: no clean report (tag %#lx from %#lx, %lu failed calls)", what, tag.raw, from.raw, mr(2));
        return ~0UL;
    }
    L4_Word_t general = mr(1);
    kill_thread(caller);
    kill_thread(callee);
    return general;
}

static void fast_path_between_rings(void)
{
    static const struct {
        L4_Word_t caller, callee;
        const char *what;
    } cases[] = {
        {KERNEL_MODE, 0, "ring 0 calling ring 3"},
        {0, KERNEL_MODE, "ring 3 calling ring 0"},
        {KERNEL_MODE, KERNEL_MODE, "ring 0 calling ring 0"},
        {0, 0, "ring 3 calling ring 3"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        L4_Word_t general = general_ipcs_between(cases[i].caller, cases[i].callee, cases[i].what);
        if (general == ~0UL)
            return;
        if (fast_path_on())
            CHECK(general == 0, "%s: 100 round trips took the general path %lu times", cases[i].what, general);
        else
            CHECK(general == 200, "%s with ipc=general: %lu general IPCs in 100 round trips, expected 200",
                  cases[i].what, general);
    }
}

/* ExchangeRegisters' set_flags with the trap flag: kept for a ring-3 thread, dropped for a
 * kernel-mode one (a stub enters the kernel with the task's flags; docs/kernel.md). */
static void trap_flag_refused(void)
{
    for (int ring0 = 0; ring0 < 2; ++ring0) {
        L4_ThreadId_t child = spawn_child_in(parked_child, 0, ring0 ? KERNEL_MODE : 0);
        CHECK(!L4_IsNilThread(child), "no child");
        L4_MsgTag_t tag = serve_child(child, 2000, 0);
        CHECK(is_label(tag, LABEL_REPORT), "no report (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
        L4_Word_t control, sp, ip, flags, handle;
        L4_ThreadId_t pager;
        L4_ThreadId_t result = L4_ExchangeRegisters(child, 0x20 /* set_flags */, 0, 0, 0x100 /* TF */, 0,
                                                    L4_nilthread, &control, &sp, &ip, &flags, &handle, &pager);
        CHECK(!L4_IsNilThread(result), "setting the flags failed (ErrorCode %lu)", L4_ErrorCode());
        result = L4_ExchangeRegisters(child, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp, &ip, &flags, &handle,
                                      &pager);
        CHECK(!L4_IsNilThread(result), "reading the flags failed (ErrorCode %lu)", L4_ErrorCode());
        CHECK((flags & 0x100) == (ring0 ? 0 : 0x100UL), "%s: trap flag %s after setting it", ring0 ? "ring 0" : "ring 3",
              (flags & 0x100) != 0 ? "set" : "clear");
        kill_thread(child);
    }
}

/* --- moved to a space of the other mode inside a system call (KMT0011) --- */

#define STUB_PAGE(area) ((area) + TERN_KIP_STUBS)
/* Another KIP area: a thread moved to a space with its KIP there goes on in that stub page. */
#define OTHER_KIP_AREA 0x00007ffffffe0000UL

static volatile L4_Word_t moved;

/* Gives the processor to the main thread through ThreadSwitch until it has been moved, then
 * reports its code segment. The first report has its code, stack and flag mapped. */
static void switcher(void)
{
    report_to_main(1, moved, 0, 0);
    while (!moved)
        L4_ThreadSwitch(main_tid);
    report_to_main(1, code_segment(), 0, 0);
    park();
}

/* Waits in a receive from the main thread, which the move cancels; then reports its code
 * segment and the receive's error. */
static void receiver(void)
{
    report_to_main(1, moved, 0, 0);
    L4_MsgTag_t tag = L4_Receive(main_tid);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    report_to_main(2, code_segment(), error, 0);
    park();
}

static const char *mode_name(L4_Word_t mode) { return mode != 0 ? "ring 0" : "ring 3"; }

/* A child of a from_mode space, stopped in a system call (ThreadSwitch, or an Ipc receive),
 * is moved to a to_mode space whose KIP area is at to_area; its ip is returned. The main
 * thread runs again when the child gives it the processor in ThreadSwitch (or when the
 * child's slice ends elsewhere: then it tries again), or when the child waits. */
static L4_ThreadId_t move_stopped_child(int in_ipc, L4_Word_t from_mode, L4_Word_t to_mode, L4_Word_t to_area,
                                        L4_Word_t *old_ip, L4_Word_t *new_ip)
{
    moved = 0;
    L4_ThreadId_t t = spawn_child_in(in_ipc ? receiver : switcher, 0, from_mode);
    if (L4_IsNilThread(t) || !is_label(serve_child(t, 2000, 0), LABEL_REPORT))
        return L4_nilthread;
    for (int tries = 0; tries < 50; ++tries) {
        if (in_ipc)
            (void)wait_state(t, 2, 100);
        else
            (void)serve_child(t, 2, 0); /* a sleep that maps what the child touches first */
        thread_state(t, 0, old_ip);
        if (*old_ip - STUB_PAGE(KIP_AREA) < PAGE_SIZE || (in_ipc && from_mode != 0))
            break;  /* (a kernel-mode Ipc stops at its caller's code, in rbx) */
    }
    L4_ThreadId_t target = fresh_space();
    if (L4_IsNilThread(target) ||
        space_control(target, to_mode, L4_FpageLog2(to_area, KIP_AREA_LOG2), UTCB64K, 0) != 1)
        return L4_nilthread;
    moved = 1;
    if (L4_ThreadControl(t, target, L4_nilthread, L4_nilthread, (void *)-1) != 1)
        return L4_nilthread;
    thread_state(t, 0, new_ip);
    return t;
}

static void move_and_resume(int in_ipc, L4_Word_t from_mode, L4_Word_t to_mode)
{
    const char *from = mode_name(from_mode), *to = mode_name(to_mode), *call = in_ipc ? "Ipc" : "ThreadSwitch";
    L4_Word_t old_ip = 0, new_ip = 0;
    L4_ThreadId_t t = move_stopped_child(in_ipc, from_mode, to_mode, KIP_AREA, &old_ip, &new_ip);
    CHECK(!L4_IsNilThread(t), "%s in %s: could not stop and move the child (ErrorCode %lu)", from, call,
          L4_ErrorCode());
    if (!(in_ipc && from_mode != 0)) {
        CHECK(old_ip - STUB_PAGE(KIP_AREA) < PAGE_SIZE, "%s child never stopped in its %s stub (ip %#lx)", from, call,
              old_ip);
        CHECK(new_ip - STUB_PAGE(KIP_AREA) < PAGE_SIZE, "%s to %s in %s: the moved child's ip %#lx left the stub page",
              from, to, call, new_ip);
    }
    L4_MsgTag_t tag = serve_child(t, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "%s to %s in %s: no report from the moved child (tag %#lx, ErrorCode %lu)",
          from, to, call, tag.raw, L4_ErrorCode());
    CHECK((mr(1) & 3) == (to_mode != 0 ? 0UL : 3UL), "%s to %s in %s: the moved child runs with cs %#lx", from, to,
          call, mr(1));
    if (in_ipc)
        CHECK(mr(2) == IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE), "%s to %s: the moved child's receive ended "
              "with ErrorCode %lu, expected canceled", from, to, mr(2));
    kill_thread(t);
}

static void moved_in_system_call(void)
{
    move_and_resume(0, 0, KERNEL_MODE);
    move_and_resume(0, KERNEL_MODE, 0);
    move_and_resume(1, 0, KERNEL_MODE);
    move_and_resume(1, KERNEL_MODE, 0);
    /* Its KIP area elsewhere: the same point of the stub page there. (The child would not get
     * far there: libl4 keeps the links it resolved at the old place.) */
    L4_Word_t old_ip = 0, new_ip = 0;
    L4_ThreadId_t t = move_stopped_child(0, 0, 0, OTHER_KIP_AREA, &old_ip, &new_ip);
    CHECK(!L4_IsNilThread(t), "could not stop and move the child (ErrorCode %lu)", L4_ErrorCode());
    CHECK(old_ip - STUB_PAGE(KIP_AREA) < PAGE_SIZE && new_ip == old_ip - KIP_AREA + OTHER_KIP_AREA,
          "moved with the KIP area from %#lx to %#lx, the child's ip went from %#lx to %#lx", KIP_AREA, OTHER_KIP_AREA,
          old_ip, new_ip);
    kill_thread(t);
}

static const struct systest kernel_mode_tests[] = {
    {"KMT0001", "an unprivileged task cannot make its own space or another kernel-mode (no privilege, 1), and "
     "neither changes", unprivileged_cannot},
    {"KMT0002", "kernel mode is chosen only with the areas; later it is neither set nor cleared (invalid parameter, "
     "5), old control reports it, and a refused call leaves ring 3", only_with_the_areas},
    {"KMT0003", "a kernel-mode task runs in ring 0 and exchanges IPC with a ring-3 task both ways", ipc_both_ways},
    {"KMT0004", "a kernel-mode task's page faults reach its pager, whose mapping it then reads", page_fault_to_pager},
    {"KMT0005", "a kernel-mode task spinning in ring 0 is preempted by the timer", timer_preempts},
    {"KMT0006", "a kernel-mode task's ud2 becomes exception IPC, and the reply resumes it", exception_ipc},
    {"KMT0007", "a kernel-mode task pushing onto a missing stack gets a page fault at its pager, not a double fault",
     stack_overflow_reported},
    {"KMT0008", "a kernel-half IP or SP set by ExchangeRegisters becomes #GP(0) exception IPC in a kernel-mode task",
     kernel_half_ip_refused},
    {"KMT0009", "calls between ring 0 and ring 3, both ways, and within each ring take the IPC fast path",
     fast_path_between_rings},
    {"KMT0010", "ExchangeRegisters sets the trap flag of a ring-3 thread but not of a kernel-mode task's",
     trap_flag_refused},
    {"KMT0011", "a thread stopped in ThreadSwitch or Ipc and moved to a space of the other mode, or with its KIP "
     "area elsewhere, goes on at the same point of that space's stub page", moved_in_system_call},
};
SYSTEST_GROUP(kernel_mode) = {"kernel_mode", kernel_mode_tests, SYSTEST_COUNT(kernel_mode_tests)};
