/* SPDX-License-Identifier: MIT */
/* The in-system test suite: shared declarations. Each t_*.c file registers its tests in a
 * table, one group per table (SYSTEST_GROUP); the root task runs the groups it finds in
 * the systest_groups section, each test reporting one line
 *
 *     SYSTEST ok <ID> <description>
 *     SYSTEST not ok <ID> <description>: <reason>
 *
 * and the run ends with "SYSTEST done N passed, M failed" and the kernel's debug exit.
 * The root task module's arguments select tests: "only=IPC0007,MDB00" runs the tests
 * whose ids start with one of the comma-separated prefixes (and the tests they need);
 * "order=reverse" runs the groups and their tests backwards (to find order dependencies).
 *
 * Groups need the root task's privileges (ThreadControl, SpaceControl, interrupts), so
 * they run in the root task; the framework isolates them instead: after each group it
 * deletes every thread the group left, detaches every interrupt line, flushes the
 * receive windows and restores the main thread's state, and reports as a failure of
 * the group ("<group>-LEFTOVER") whatever a group's own cleanup missed.
 *
 * Threads the tests create live in slots: slot k (1..63) is the UTCB at utcb base + k KiB
 * of the root task's space and the stack stacks[k]. Threads in other spaces ("children")
 * run code of this same image: their pager (the main thread, see serve_child) maps them
 * the root task's own pages at the same addresses. Every IPC a test does has a finite
 * timeout, so a kernel bug shows as a failure instead of stalling the suite. */
#ifndef SYSTEST_H
#define SYSTEST_H

#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/misc.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4io.h>
#include <stdarg.h>

#include "abi.h"
#include <l4/tern/page.h>

/* The root task's fixed layout (kernel/include/boot_tasks.hpp, libl4/user.ld): what the
 * tests check the kernel against, not part of the ABI file. */
#define KIP_AREA 0x00007fffffff0000UL
#define KIP_AREA_LOG2 13 /* the KIP and the stub page above it */
#define IN_STUB_PAGE(a) ((a) >= KIP_AREA + TERN_KIP_STUBS && (a) < KIP_AREA + (1UL << KIP_AREA_LOG2))
#define UTCB_AREA 0x00007fffff800000UL
#define ROOT_UTCB_AREA_LOG2 22 /* 4096 UTCBs */
#define MAX_THREADS (1u << TERN_THREAD_NUMBER_BITS) /* the kernel's thread table (KIP thread info) */
#define UTCB_AREA_LOG2 16      /* the UTCB area the tests give new spaces, at the same base */
#define UTCB_SIZE ((L4_Word_t)TERN_UTCB_SIZE)
#define PAGE_SIZE TERN_PAGE_SIZE
#define USER_END 0x0000800000000000UL

/* Free virtual ranges the tests use as receive windows (far from image, stack, KIP). */
#define WINDOW_BASE 0x0000000100000000UL /* 4 GiB; each test takes its own 16 MiB */
#define WINDOW(n) (WINDOW_BASE + (L4_Word_t)(n) * 0x1000000UL)

/* Labels of the suite's own messages. */
#define LABEL_REPORT 0x5e51UL   /* a thread reports results to the main thread */
#define LABEL_PING 0x5e52UL     /* ordinary test message */
#define LABEL_START 0x5e53UL    /* main asks a thread to go on */

/* Labels the kernel uses (48-bit labels as received). The page-fault, exception and
 * preemption labels are not in the ABI file yet. */
#define LABEL_MASK __L4_TAG_LABEL_MASK
#define PF_LABEL ((L4_Word_t)TERN_LABEL_PAGE_FAULT)  /* | rwx in the low 4 bits */
#define EXC_LABEL ((L4_Word_t)TERN_LABEL_EXCEPTION)
#define SIGMA0_LABEL (__L4_SIGMA0_LABEL & LABEL_MASK)
#define PREEMPT_LABEL ((L4_Word_t)TERN_LABEL_PREEMPTION)  /* total quantum exhausted */
#define PREEMPTION_FAULT_VECTOR ((L4_Word_t)TERN_VECTOR_PREEMPTION_FAULT) /* a delayed-preemption overrun */

/* An IPC ErrorCode: code (TERN_IPC_ERROR_* of abi.h) << 1 | phase (0 send, 1 receive). */
#define IPC_ERR(code, phase) (((L4_Word_t)(code) << 1) | (phase))
#define SEND_PHASE 0
#define RECV_PHASE 1

#define MAX_SLOTS 64
#define STACK_BYTES 8192
#define MAX_CHILDREN 4 /* child stacks */
#define MAX_REMEMBERED 16
#define CHILD_STACK_BYTES 16384

typedef void (*thread_fn)(L4_Word_t arg);

/* --- the test tables (framework.c runs them) --- */
struct systest {
    const char *id;          /* stable: "IPC0007" */
    const char *description;
    void (*run)(void);
    /* The test whose state this one continues (a setup, or the step before in a
     * scenario), or 0: selecting this test runs that one first, once. */
    const char *needs;
};

struct systest_group {
    const char *name;
    const struct systest *tests;
    unsigned count;
    void (*after_each)(void); /* or 0: releases what one test of the group holds */
    void (*after_all)(void);  /* or 0: releases what the group's tests share */
};

/* Table entries leave out what they do not use (needs, the hooks); C makes those 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define SYSTEST_COUNT(table) ((unsigned)(sizeof(table) / sizeof((table)[0])))

/* Registers a group, e.g.
 *     SYSTEST_GROUP(ipc) = {"ipc", ipc_tests, SYSTEST_COUNT(ipc_tests)};
 * The linker collects the groups in the systest_groups section; the order in which they
 * run is not fixed, so a group must not rely on another having run. */
#define SYSTEST_GROUP(name)                                                                                    \
    static const struct systest_group name##_group __attribute__((used, section("systest_groups"), aligned(8)))

void fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
int failed_now(void);

/* Fails the current test with a reason and leaves the test function. */
#define CHECK(condition, ...)          \
    do {                               \
        if (!(condition)) {            \
            fail(__VA_ARGS__);         \
            return;                    \
        }                              \
    } while (0)

/* --- environment --- */
extern L4_ThreadId_t main_tid;   /* the root task's thread */
extern L4_ThreadId_t sigma0_tid;
extern void *kip;
extern L4_Word_t image_low, image_high; /* the root task image (KIP root server low/high) */

/* --- time --- */
L4_Word_t now_us(void);
L4_Time_t ms_time(L4_Word_t ms);       /* a relative timeout of ms milliseconds (0: zero) */
void sleep_ms(L4_Word_t ms);           /* blocks for ms (a closed receive from sigma0) */
L4_Word_t decode_period(L4_Word_t t);  /* microseconds of a relative time period; ~0 for never */
L4_Word_t period_us(L4_Word_t ms);     /* what ms_time(ms) really encodes, in microseconds */
L4_Time_t time_point(L4_Word_t clock); /* an absolute timeout (libl4 has no L4_TimePoint) */
/* A thread (priority 254) that cancels the main thread's IPC after ms, so a wait with
 * timeout "never" cannot stall the suite; watchdog_fired tells whether it did. */
L4_ThreadId_t start_watchdog(L4_Word_t ms);
extern volatile L4_Word_t watchdog_fired;

/* --- UTCB and error codes --- */
L4_Word_t *my_utcb(void);
void set_error_code(L4_Word_t value);  /* so a call that sets none is noticed */

/* --- messages --- */
void load_words(L4_Word_t label, unsigned count, const L4_Word_t *words);
void load_msg(L4_Word_t label, unsigned count, L4_Word_t w1, L4_Word_t w2, L4_Word_t w3);
L4_Word_t mr(int i);
L4_MsgTag_t recv_ms(L4_ThreadId_t from, L4_Word_t ms, L4_ThreadId_t *sender);
L4_MsgTag_t send_ms(L4_ThreadId_t to, L4_Word_t ms);
/* Sends LABEL_REPORT with up to 3 words to the main thread (2 s send timeout). */
L4_MsgTag_t report_to_main(unsigned count, L4_Word_t w1, L4_Word_t w2, L4_Word_t w3);
int is_label(L4_MsgTag_t tag, L4_Word_t label);
int is_page_fault(L4_MsgTag_t tag);
int is_exception(L4_MsgTag_t tag);

/* --- threads in the root task's space (framework.c) --- */
L4_ThreadId_t new_tid(void);           /* a fresh thread number, version 1 */
/* How a receiver in the root task's space names the sender tid (X.2's FromSpecifier): by its
 * local id if tid lives in that space, else by tid itself. */
L4_ThreadId_t seen_as(L4_ThreadId_t tid);
/* Creates, activates and starts a thread running fn(arg) at priority prio (or the default
 * 100 when prio < 0) with the given pager. Records a failure and returns nilthread if
 * that does not work. */
L4_ThreadId_t spawn(thread_fn fn, L4_Word_t arg, int prio, L4_ThreadId_t pager);
L4_ThreadId_t spawn_simple(thread_fn fn, L4_Word_t arg); /* prio 100, pager sigma0 */
void kill_thread(L4_ThreadId_t tid);   /* deletes a thread the test made */
void forget_thread(L4_ThreadId_t tid); /* after a test deleted it itself */
L4_Word_t slot_of(L4_ThreadId_t tid);  /* its slot, 0 if none */
L4_Word_t utcb_of_slot(L4_Word_t slot);
L4_Word_t stack_top_of_slot(L4_Word_t slot);
int reserve_slot(L4_ThreadId_t tid, thread_fn fn, L4_Word_t arg); /* for hand-made threads */
void thread_trampoline(void);          /* start IP of slot threads */
void park(void) __attribute__((noreturn));  /* blocks the calling thread for good */
L4_Word_t thread_state(L4_ThreadId_t tid, L4_Word_t *sp, L4_Word_t *ip); /* ExchangeRegisters read */
/* Waits up to ms until the thread's ExchangeRegisters state has one of the mask bits
 * (2 receiving, 4 sending, 1 halted); returns it or 0. */
L4_Word_t wait_state(L4_ThreadId_t tid, L4_Word_t mask, L4_Word_t ms);
void cleanup_threads(void);

/* --- threads in new spaces (framework.c) --- */
/* Creates thread + space, sets its areas (KIP and UTCB at the root task's addresses),
 * activates it with the main thread as pager, then sends the start message for
 * fn (a function that never returns) on child stack `stack`. Returns nilthread on failure
 * (recorded). */
L4_ThreadId_t spawn_child(void (*fn)(void), unsigned stack);
void remember_child(L4_ThreadId_t tid); /* delete it when the test ends */
/* With SpaceControl's control bits; when the suite itself runs in ring 0 (the boot option
 * roottask=kernel), children are kernel-mode tasks too. */
L4_ThreadId_t spawn_child_control(void (*fn)(void), unsigned stack, L4_Word_t control);
/* With exactly these control bits, whatever ring the suite runs in. */
L4_ThreadId_t spawn_child_in(void (*fn)(void), unsigned stack, L4_Word_t control);
/* The same, its start message's third word naming its exception handler (nil: two words). */
L4_ThreadId_t spawn_child_handled(void (*fn)(void), unsigned stack, L4_Word_t control, L4_ThreadId_t handler);
int suite_in_ring0(void); /* the root task, and so every child it makes, is a kernel-mode task */
/* SpaceControl with no redirector; ErrorCode preset to 0xee, old may be 0. */
L4_Word_t space_control(L4_ThreadId_t space, L4_Word_t control, L4_Fpage_t kip_area, L4_Fpage_t utcb_area,
                        L4_Word_t *old);
L4_ThreadId_t fresh_space(void); /* a thread in a new, uninitialised space (deleted when the test ends) */
/* The KIP's IPC statistics: Ipc and Lipc calls the general path took; whether the fast path is on. */
L4_Word_t general_ipcs(void);
int fast_path_on(void);
void child_echo(void); /* answers each call with the message it got (for spawn_child) */
/* rounds calls of 0..5 untyped words to partner, which answers with as many; how many failed
 * (no fail(): a child may run it). */
L4_Word_t call_rounds(L4_ThreadId_t partner, L4_Word_t rounds);
/* Replies to an exception message in the MRs with its 20 registers, rip and rax changed. */
L4_MsgTag_t reply_exception(L4_ThreadId_t to, L4_Word_t rip, L4_Word_t rax);
#define EXC_WORDS ((int)TERN_EXCEPTION_WORDS)
/* MR index of each register in an exception message (abi/x86_64.toml [exception_message]). */
enum {
    X_RIP = TERN_EXCEPTION_MR_RIP, X_RFLAGS = TERN_EXCEPTION_MR_RFLAGS, X_VECTOR = TERN_EXCEPTION_MR_VECTOR,
    X_ERROR = TERN_EXCEPTION_MR_ERROR_CODE, X_RDI = TERN_EXCEPTION_MR_RDI, X_RSI = TERN_EXCEPTION_MR_RSI,
    X_RBP = TERN_EXCEPTION_MR_RBP, X_RSP = TERN_EXCEPTION_MR_RSP, X_RBX = TERN_EXCEPTION_MR_RBX,
    X_RDX = TERN_EXCEPTION_MR_RDX, X_RCX = TERN_EXCEPTION_MR_RCX, X_RAX = TERN_EXCEPTION_MR_RAX,
    X_R8 = TERN_EXCEPTION_MR_R8, X_R9 = TERN_EXCEPTION_MR_R9, X_R10 = TERN_EXCEPTION_MR_R10,
    X_R11 = TERN_EXCEPTION_MR_R11, X_R12 = TERN_EXCEPTION_MR_R12, X_R13 = TERN_EXCEPTION_MR_R13,
    X_R14 = TERN_EXCEPTION_MR_R14, X_R15 = TERN_EXCEPTION_MR_R15, X_FS_BASE = TERN_EXCEPTION_MR_FS_BASE,
    X_GS_BASE = TERN_EXCEPTION_MR_GS_BASE
};
/* Receives from the child (or any thread when child is anythread), serving its page
 * faults with the root task's pages, until another message arrives; returns its tag
 * (E set on timeout). */
L4_MsgTag_t serve_child(L4_ThreadId_t child, L4_Word_t ms, L4_ThreadId_t *sender);
/* Answers one page fault whose message is in the MRs: maps the root task's page. */
int answer_page_fault(L4_ThreadId_t faulter);
/* Calls child (a thread of another space, the main thread its pager) with the MRs loaded,
 * serving the page faults it takes on the way; the tag of its answer. */
L4_MsgTag_t call_child(L4_ThreadId_t child, L4_Time_t send_timeout, L4_Time_t receive_timeout);
extern unsigned long child_faults;     /* page faults served so far */
struct fault_record {
    L4_Word_t from, label, address, ip;
};
#define FAULT_LOG 64
extern struct fault_record fault_log[FAULT_LOG];
extern unsigned fault_log_count;
L4_Word_t child_stack_top(unsigned stack);

/* --- kernel debug --- */
void kdb_exit(L4_Word_t status);

/* --- shared helpers for memory probes (t_map.c) --- */
enum probe_result { PROBE_OK, PROBE_FAULT, PROBE_TIMEOUT, PROBE_ERROR };
/* Lets a fresh thread (pager: the main thread) read (write = 0) or write the word at
 * address. A page fault comes back as PROBE_FAULT with its label and address. */
enum probe_result probe(L4_Word_t address, int write, L4_Word_t value, L4_Word_t *read_value,
                        L4_Word_t *fault_label, L4_Word_t *fault_address);
/* Sends one map (grant: 1) item of fpage with send_base from the main thread to a fresh
 * thread of the root task's space that accepts with acceptor (the thread is deleted
 * again); 1 when the IPC went through, else the failure is recorded. */
/* Calls the code at address (a function without arguments) from a fresh thread (pager: the
 * main thread): PROBE_OK when it returned, PROBE_FAULT with the page fault's label and address. */
enum probe_result probe_exec(L4_Word_t address, L4_Word_t *fault_label, L4_Word_t *fault_address);
int send_item(L4_Acceptor_t acceptor, L4_Fpage_t fpage, L4_Word_t send_base, int grant);
L4_Acceptor_t window(L4_Word_t base, int log2); /* accepts map items into that fpage */
L4_Fpage_t with_rights(L4_Fpage_t f, L4_Word_t rights);

/* --- what an unprivileged thread (in a new space) got from privileged calls (t_misc.c) --- */
enum unpriv_call {
    U_THREAD_CONTROL,  /* create a thread */
    U_SPACE_CONTROL,   /* on its own space */
    U_PROCESSOR_CONTROL,
    U_MEMORY_CONTROL,
    U_SCHEDULE_MAIN,   /* Schedule of the root task's thread */
    U_SCHEDULE_SELF,   /* Schedule of itself (its scheduler is the root task) */
    U_KDB_EXIT,        /* kdb_exit(1): result is 0 when it returned */
    U_DELETE_MAIN,     /* ThreadControl deleting the root task's thread */
    U_EXREGS_MAIN,     /* ExchangeRegisters (read only) of the root task's thread (paged by sigma0) */
    U_KERNEL_MODE_SELF, /* SpaceControl asking kernel mode for its own space */
    U_KERNEL_MODE_MAIN, /* the same for the root task's space */
    U_COUNT
};
struct unpriv_results {
    int valid;           /* the child ran and reported */
    char why[160];       /* why not */
    L4_Word_t result[U_COUNT], error[U_COUNT];
    L4_Word_t child_control;  /* its space's SpaceControl control word afterwards (privileged read) */
};
const struct unpriv_results *unprivileged_results(void);
#define UNPRIV_CREATED_NUMBER 4090 /* the thread number the child tries to create */

#endif
