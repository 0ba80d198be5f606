/* SPDX-License-Identifier: MIT */
/* The suite's runner and the helpers every test group uses: reporting, time, messages,
 * threads in the root task's space and threads in new spaces (with the main thread as
 * their pager). The runner takes the groups from the systest_groups section, selects
 * tests by the root task module's arguments, and isolates each group from the others'
 * leftovers (see systest.h). */
#include <l4/bootinfo.h>

#include "systest.h"

L4_ThreadId_t main_tid;
L4_ThreadId_t sigma0_tid;
void *kip;
L4_Word_t image_low, image_high;

/* ------------------------------------------------------------------ reporting */

static int passed_count, failed_count;
static int current_failed;
static char current_reason[400];

void fail(const char *fmt, ...)
{
    if (current_failed)
        return;  /* the first reason is the useful one */
    current_failed = 1;
    va_list args;
    va_start(args, fmt);
    vsnprintf(current_reason, sizeof current_reason, fmt, args);
    va_end(args);
}

int failed_now(void) { return current_failed; }

/* ------------------------------------------------------------------ time */

L4_Word_t now_us(void) { return (L4_Word_t)L4_SystemClock().raw; }

L4_Time_t ms_time(L4_Word_t ms) { return ms == 0 ? L4_ZeroTime : L4_TimePeriod((L4_Word64_t)ms * 1000); }

void sleep_ms(L4_Word_t ms)
{
    /* sigma0 never sends to the root task on its own, so this is a pure timeout. */
    L4_Receive_Timeout(sigma0_tid, ms_time(ms));
}

L4_Word_t decode_period(L4_Word_t t)
{
    t &= 0xffff;
    if (t == 0)
        return ~0UL;
    if (t & 0x8000)
        return ~1UL;  /* a time point, not a period */
    return (t & 0x3ff) << ((t >> 10) & 31);
}

L4_Word_t period_us(L4_Word_t ms) { return ms == 0 ? 0 : decode_period(ms_time(ms).raw); }

L4_Time_t time_point(L4_Word_t clock)
{
    /* [1 | e:4 | c:1 | m:10]: the next clock value whose bits e+9..e are m, c being bit
     * e+10 of that value; e is the smallest exponent whose 2^(e+10) window reaches clock. */
    L4_Word_t now = now_us();
    L4_Word_t distance = clock > now ? clock - now : 0;
    L4_Word_t e = 0;
    while (e < 15 && distance >= (1UL << (e + 10)))
        ++e;
    L4_Time_t t;
    t.raw = (L4_Word16_t)(0x8000UL | e << 11 | ((clock >> (e + 10)) & 1) << 10 | ((clock >> e) & 0x3ff));
    return t;
}

/* ------------------------------------------------------------------ UTCB */

L4_Word_t *my_utcb(void) { return (L4_Word_t *)L4_MyLocalId().raw; }

void set_error_code(L4_Word_t value) { my_utcb()[TERN_UTCB_ERROR_CODE / 8] = value; }

/* ------------------------------------------------------------------ messages */

void load_words(L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    L4_LoadMR(0, (label << 16) | count);
    for (unsigned i = 0; i < count; ++i)
        L4_LoadMR((int)i + 1, words[i]);
}

void load_msg(L4_Word_t label, unsigned count, L4_Word_t w1, L4_Word_t w2, L4_Word_t w3)
{
    L4_Word_t words[3] = {w1, w2, w3};
    load_words(label, count, words);
}

L4_Word_t mr(int i)
{
    L4_Word_t w;
    L4_StoreMR(i, &w);
    return w;
}

L4_MsgTag_t recv_ms(L4_ThreadId_t from, L4_Word_t ms, L4_ThreadId_t *sender)
{
    L4_ThreadId_t dummy = L4_nilthread;
    return L4_Ipc(L4_nilthread, from, L4_Timeouts(L4_Never, ms_time(ms)), sender != 0 ? sender : &dummy);
}

L4_MsgTag_t send_ms(L4_ThreadId_t to, L4_Word_t ms) { return L4_Send_Timeout(to, ms_time(ms)); }

L4_MsgTag_t report_to_main(unsigned count, L4_Word_t w1, L4_Word_t w2, L4_Word_t w3)
{
    load_msg(LABEL_REPORT, count, w1, w2, w3);
    return send_ms(main_tid, 2000);
}

int is_label(L4_MsgTag_t tag, L4_Word_t label) { return L4_IpcSucceeded(tag) && (L4_Label(tag) & LABEL_MASK) == label; }

int is_page_fault(L4_MsgTag_t tag)
{
    return L4_IpcSucceeded(tag) && ((L4_Label(tag) & LABEL_MASK) & ~0xfUL) == PF_LABEL;
}

int is_exception(L4_MsgTag_t tag) { return L4_IpcSucceeded(tag) && (L4_Label(tag) & LABEL_MASK) == EXC_LABEL; }

/* ------------------------------------------------------------------ threads in this space */

struct slot {
    L4_ThreadId_t tid;
    thread_fn fn;
    L4_Word_t arg;
    int used;
};

static struct slot slots[MAX_SLOTS];
static unsigned char stacks[MAX_SLOTS][STACK_BYTES] __attribute__((aligned(4096)));
static L4_Word_t next_number = 600;

L4_ThreadId_t new_tid(void)
{
    L4_Word_t number = next_number++;
    if (next_number >= 4000)
        next_number = 600;
    return L4_GlobalId(number, 1);
}

L4_Word_t utcb_of_slot(L4_Word_t slot) { return UTCB_AREA + slot * UTCB_SIZE; }

/* ExchangeRegisters gives a thread's local id in its own space (also to the space of its
 * pager, EXR0022); the same local id names it here only if that space is this one. */
L4_ThreadId_t seen_as(L4_ThreadId_t tid)
{
    L4_ThreadId_t local = L4_LocalIdOf(tid);
    if (L4_IsNilThread(local) || L4_GlobalIdOf(local).raw != tid.raw)
        return tid;
    return local;
}

/* The x86-64 ABI expects rsp + 8 to be 16-byte aligned at a function's first instruction. */
L4_Word_t stack_top_of_slot(L4_Word_t slot) { return (L4_Word_t)&stacks[slot][STACK_BYTES] - 8; }

L4_Word_t slot_of(L4_ThreadId_t tid)
{
    for (L4_Word_t k = 1; k < MAX_SLOTS; ++k)
        if (slots[k].used && slots[k].tid.raw == tid.raw)
            return k;
    return 0;
}

int reserve_slot(L4_ThreadId_t tid, thread_fn fn, L4_Word_t arg)
{
    for (int k = 1; k < MAX_SLOTS; ++k) {
        if (!slots[k].used) {
            slots[k].used = 1;
            slots[k].tid = tid;
            slots[k].fn = fn;
            slots[k].arg = arg;
            return k;
        }
    }
    fail("no free thread slot");
    return 0;
}

void park(void)
{
    for (;;) {
        L4_Stop(L4_Myself());
        L4_Receive_Timeout(sigma0_tid, L4_Never);
    }
}

void thread_trampoline(void)
{
    L4_Word_t k = (L4_MyLocalId().raw - UTCB_AREA) / UTCB_SIZE;
    if (k > 0 && k < MAX_SLOTS && slots[k].fn != 0)
        slots[k].fn(slots[k].arg);
    park();
}

L4_ThreadId_t spawn(thread_fn fn, L4_Word_t arg, int prio, L4_ThreadId_t pager)
{
    L4_ThreadId_t tid = new_tid();
    int k = reserve_slot(tid, fn, arg);
    if (k == 0)
        return L4_nilthread;
    L4_Word_t result = L4_ThreadControl(tid, main_tid, main_tid, pager, (void *)utcb_of_slot((L4_Word_t)k));
    if (result != 1) {
        fail("helper could not create thread %lx: ThreadControl returned %lu, ErrorCode %lu", tid.raw, result,
             L4_ErrorCode());
        slots[k].used = 0;
        return L4_nilthread;
    }
    if (prio >= 0 && L4_Set_Priority(tid, (L4_Word_t)prio) == 0) {
        fail("helper could not set priority %d of thread %lx: ErrorCode %lu", prio, tid.raw, L4_ErrorCode());
        return L4_nilthread;
    }
    L4_Start_SpIp(tid, stack_top_of_slot((L4_Word_t)k), (L4_Word_t)thread_trampoline);
    return tid;
}

L4_ThreadId_t spawn_simple(thread_fn fn, L4_Word_t arg) { return spawn(fn, arg, -1, sigma0_tid); }

/* ------------------------------------------------------------------ children (new spaces) */

static L4_ThreadId_t children[MAX_REMEMBERED];
static unsigned char child_stacks[MAX_CHILDREN][CHILD_STACK_BYTES] __attribute__((aligned(4096)));
unsigned long child_faults;
struct fault_record fault_log[FAULT_LOG];
unsigned fault_log_count;

L4_Word_t child_stack_top(unsigned stack) { return (L4_Word_t)&child_stacks[stack][CHILD_STACK_BYTES] - 8; }

void remember_child(L4_ThreadId_t tid)
{
    for (unsigned i = 0; i < MAX_REMEMBERED; ++i) {
        if (children[i].raw == 0 || children[i].raw == tid.raw) {
            children[i] = tid;
            return;
        }
    }
    fail("too many threads to remember for deletion");
}

void forget_thread(L4_ThreadId_t tid)
{
    L4_Word_t k = slot_of(tid);
    if (k != 0)
        slots[k].used = 0;
    for (unsigned i = 0; i < MAX_REMEMBERED; ++i)
        if (children[i].raw == tid.raw)
            children[i] = L4_nilthread;
}

void kill_thread(L4_ThreadId_t tid)
{
    if (L4_IsNilThread(tid))
        return;
    L4_ThreadControl(tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    forget_thread(tid);
}

L4_Word_t space_control(L4_ThreadId_t space, L4_Word_t control, L4_Fpage_t kip_area, L4_Fpage_t utcb_area,
                        L4_Word_t *old)
{
    set_error_code(0xee);
    L4_Word_t dummy;
    return L4_SpaceControl(space, control, kip_area, utcb_area, L4_nilthread, old != 0 ? old : &dummy);
}

L4_ThreadId_t fresh_space(void)
{
    L4_ThreadId_t t = new_tid();
    L4_Word_t r = L4_ThreadControl(t, t, main_tid, L4_nilthread, (void *)-1);
    if (r != 1) {
        fail("creating a thread in a new space returned %lu, ErrorCode %lu", r, L4_ErrorCode());
        return L4_nilthread;
    }
    remember_child(t);
    return t;
}

L4_Word_t general_ipcs(void) { return *(volatile L4_Word_t *)((L4_Word_t)kip + TERN_KIP_IPC_GENERAL_COUNT); }
int fast_path_on(void) { return *(volatile L4_Word_t *)((L4_Word_t)kip + TERN_KIP_IPC_FAST_PATH) == 1; }

void child_echo(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        tag.X.flags = 0;
        L4_Set_MsgTag(tag);
        tag = L4_ReplyWait(from, &from);
    }
}

L4_Word_t call_rounds(L4_ThreadId_t partner, L4_Word_t rounds)
{
    L4_Word_t failures = 0;
    for (L4_Word_t round = 0; round < rounds; ++round) {
        L4_Word_t words = round % 6;
        for (L4_Word_t i = 1; i <= words; ++i)
            L4_LoadMR((int)i, round + i);
        L4_MsgTag_t tag = {.raw = LABEL_PING << 16 | words};
        L4_Set_MsgTag(tag);
        tag = L4_Call(partner);
        failures += L4_IpcFailed(tag) || L4_UntypedWords(tag) != words;
    }
    return failures;
}

L4_ThreadId_t spawn_child(void (*fn)(void), unsigned stack) { return spawn_child_control(fn, stack, 0); }

int suite_in_ring0(void)
{
    L4_Word_t cs;
    __asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
    return (cs & 3) == 0;
}

L4_ThreadId_t spawn_child_control(void (*fn)(void), unsigned stack, L4_Word_t control)
{
    return spawn_child_in(fn, stack, control | (suite_in_ring0() ? TERN_SPACE_CONTROL_KERNEL_MODE_MASK : 0));
}

L4_ThreadId_t spawn_child_in(void (*fn)(void), unsigned stack, L4_Word_t control)
{
    return spawn_child_handled(fn, stack, control, L4_nilthread);
}

L4_ThreadId_t spawn_child_handled(void (*fn)(void), unsigned stack, L4_Word_t control, L4_ThreadId_t handler)
{
    L4_ThreadId_t tid = new_tid();
    L4_Word_t old;
    L4_Word_t result = L4_ThreadControl(tid, tid, main_tid, L4_nilthread, (void *)-1);
    if (result != 1) {
        fail("helper could not create thread and space %lx: ThreadControl returned %lu, ErrorCode %lu", tid.raw,
             result, L4_ErrorCode());
        return L4_nilthread;
    }
    remember_child(tid);
    result = L4_SpaceControl(tid, control, L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2),
                             L4_nilthread, &old);
    if (result != 1) {
        fail("helper could not set areas of space %lx: SpaceControl returned %lu, ErrorCode %lu", tid.raw, result,
             L4_ErrorCode());
        return L4_nilthread;
    }
    result = L4_ThreadControl(tid, tid, main_tid, main_tid, (void *)UTCB_AREA);
    if (result != 1) {
        fail("helper could not activate %lx: ThreadControl returned %lu, ErrorCode %lu", tid.raw, result,
             L4_ErrorCode());
        return L4_nilthread;
    }
    load_msg(0, L4_IsNilThread(handler) ? 2 : 3, (L4_Word_t)fn, child_stack_top(stack), handler.raw);
    L4_MsgTag_t tag = send_ms(tid, 1000);
    if (L4_IpcFailed(tag)) {
        fail("start message to %lx failed: ErrorCode %lu", tid.raw, L4_ErrorCode());
        return L4_nilthread;
    }
    return tid;
}

int answer_page_fault(L4_ThreadId_t faulter)
{
    L4_Word_t label = L4_Label(L4_MsgTag()) & LABEL_MASK;
    L4_Word_t address = mr(1), ip = mr(2);
    if (fault_log_count < FAULT_LOG)
        fault_log[fault_log_count++] = (struct fault_record){faulter.raw, label, address, ip};
    L4_Word_t page = address & ~(PAGE_SIZE - 1);
    if (page < image_low || page >= image_high)
        return 0;  /* not ours to give: the faulter stays blocked until the test ends */
    ++child_faults;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible), page));
    L4_MsgLoad(&msg);
    return L4_IpcSucceeded(send_ms(faulter, 500)) != 0;
}

/* A child on its way to its receive may still fault on a page of ours: a send phase that
 * waited for it would wait for a thread that waits for us. So the send phase waits in short
 * slices, and between them the child's pending fault is served (a Never send timeout gives
 * up after 10 s, so that a lost child fails the test instead of hanging the suite). */
static L4_MsgTag_t call_serving_faults(L4_ThreadId_t child, L4_Time_t send_timeout, L4_Time_t receive_timeout)
{
    if (send_timeout.raw != L4_Never.raw)
        return L4_Call_Timeouts(child, send_timeout, receive_timeout);
    L4_Word_t message[16];
    L4_StoreMRs(0, 16, message); /* serving a fault overwrites the message, and a failed call MR0 */
    L4_Word_t deadline = now_us() + 10000000;
    for (;;) {
        L4_LoadMRs(0, 16, message);
        L4_MsgTag_t tag = L4_Call_Timeouts(child, ms_time(20), receive_timeout);
        if (!L4_IpcFailed(tag) || (L4_ErrorCode() & 0xf) != 2 /* send phase, timeout */ || now_us() >= deadline)
            return tag;
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t fault = recv_ms(child, 0, &from);
        if (is_page_fault(fault) && !answer_page_fault(from))
            return tag;
    }
}

L4_MsgTag_t call_child(L4_ThreadId_t child, L4_Time_t send_timeout, L4_Time_t receive_timeout)
{
    L4_ThreadId_t sender;
    L4_MsgTag_t tag = call_serving_faults(child, send_timeout, receive_timeout);
    while (L4_IpcSucceeded(tag) && is_page_fault(tag) && answer_page_fault(child))
        tag = serve_child(child, 2000, &sender);
    return tag;
}

L4_MsgTag_t serve_child(L4_ThreadId_t child, L4_Word_t ms, L4_ThreadId_t *sender)
{
    L4_Word_t deadline = now_us() + ms * 1000;
    L4_MsgTag_t failed;
    failed.raw = 0x8000; /* E: an unanswerable fault or a fault loop reads as a failed wait */
    for (unsigned faults = 0;; ++faults) {
        L4_Word_t now = now_us();
        if (now >= deadline || faults >= 2000)
            return failed; /* e.g. a fault the mapping reply does not resolve, again and again */
        L4_Word_t left = (deadline - now) / 1000;
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = recv_ms(child, left == 0 ? 1 : left, &from);
        if (sender != 0)
            *sender = from;
        if (!is_page_fault(tag))
            return tag;
        if (!answer_page_fault(from))
            return failed;
    }
}

L4_MsgTag_t reply_exception(L4_ThreadId_t to, L4_Word_t rip, L4_Word_t rax)
{
    L4_Word_t words[EXC_WORDS];
    for (int i = 0; i < EXC_WORDS; ++i)
        words[i] = mr(i + 1);
    words[X_RIP - 1] = rip;
    words[X_RAX - 1] = rax;
    load_words(0, EXC_WORDS, words);
    return send_ms(to, 500);
}

/* ------------------------------------------------------------------ watchdog */

volatile L4_Word_t watchdog_fired;

static void watchdog_thread(L4_Word_t ms)
{
    sleep_ms(ms);
    watchdog_fired = 1;
    L4_Word_t control, sp, ip, flags, handle;
    L4_ThreadId_t pager;
    L4_ExchangeRegisters(main_tid, 6 /* cancel send and receive */, 0, 0, 0, 0, L4_nilthread, &control, &sp, &ip,
                         &flags, &handle, &pager);
}

L4_ThreadId_t start_watchdog(L4_Word_t ms)
{
    watchdog_fired = 0;
    return spawn(watchdog_thread, ms, 254, sigma0_tid);
}

/* ------------------------------------------------------------------ thread state */

L4_Word_t thread_state(L4_ThreadId_t tid, L4_Word_t *sp, L4_Word_t *ip)
{
    L4_Word_t control, out_sp, out_ip, flags, handle;
    L4_ThreadId_t pager;
    L4_ThreadId_t result = L4_ExchangeRegisters(tid, 0, 0, 0, 0, 0, L4_nilthread, &control, &out_sp, &out_ip,
                                                &flags, &handle, &pager);
    if (sp != 0)
        *sp = out_sp;
    if (ip != 0)
        *ip = out_ip;
    return L4_IsNilThread(result) ? ~0UL : control;
}

L4_Word_t wait_state(L4_ThreadId_t tid, L4_Word_t mask, L4_Word_t ms)
{
    L4_Word_t start = now_us();
    for (;;) {
        L4_Word_t state = thread_state(tid, 0, 0);
        if (state != ~0UL && (state & mask) != 0)
            return state & mask;
        if (now_us() - start > ms * 1000)
            return 0;
        sleep_ms(1);
    }
}

void cleanup_threads(void)
{
    for (int k = 1; k < MAX_SLOTS; ++k) {
        if (slots[k].used) {
            L4_ThreadControl(slots[k].tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
            slots[k].used = 0;
        }
    }
    for (unsigned i = 0; i < MAX_REMEMBERED; ++i) {
        if (children[i].raw != 0) {
            L4_ThreadControl(children[i], L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
            children[i] = L4_nilthread;
        }
    }
}

/* ------------------------------------------------------------------ kernel debug */

void kdb_exit(L4_Word_t status)
{
    L4_Word_t base = (L4_Word_t)kip;
    __tern_syscall_kdb_exit(base + *(L4_Word_t *)(base + TERN_KIP_LINK_ARCH2), status);
}

/* ------------------------------------------------------------------ selection */

/* The groups, collected by the linker (SYSTEST_GROUP). */
extern const struct systest_group __start_systest_groups[], __stop_systest_groups[];

#define ARGUMENTS_CAPACITY 256
#define MAX_PREFIXES 16
#define MAX_TESTS 512

static char arguments[ARGUMENTS_CAPACITY];
static const char *prefixes[MAX_PREFIXES];
static int prefix_used[MAX_PREFIXES];
static unsigned prefix_count;
static int reverse_order;
static const struct systest *ran[MAX_TESTS];
static unsigned ran_count;

/* The arguments of the boot module called roottask (its command line after the file
 * name), or "" when the boot information has none. */
static const char *module_arguments(void)
{
    void *info = (void *)L4_BootInfo(kip);
    if (info == 0 || !L4_BootInfo_Valid(info))
        return "";
    L4_BootRec_t *record = L4_BootInfo_FirstEntry(info);
    for (L4_Word_t i = 0; i < L4_BootInfo_Entries(info); ++i, record = L4_BootRec_Next(record)) {
        const char *line = L4_BootRec_Type(record) == L4_BootInfo_Module ? L4_Module_Cmdline(record) : 0;
        if (line == 0)
            continue;
        const char *name = line, *end = line;
        for (; *end != '\0' && *end != ' '; ++end)
            if (*end == '/')
                name = end + 1;
        if (end - name == 8 && __builtin_strncmp(name, "roottask", 8) == 0)
            return *end == ' ' ? end + 1 : end;
    }
    return "";
}

/* "only=A,B" and "order=reverse", separated by blanks; other words are not the suite's. */
static void read_arguments(void)
{
    __builtin_strncpy(arguments, module_arguments(), sizeof arguments - 1);
    for (char *word = arguments; *word != '\0';) {
        char *end = word;
        while (*end != '\0' && *end != ' ')
            ++end;
        char next = *end;
        *end = '\0';
        if (__builtin_strncmp(word, "only=", 5) == 0) {
            for (char *prefix = word + 5; *prefix != '\0' && prefix_count < MAX_PREFIXES;) {
                char *comma = prefix;
                while (*comma != '\0' && *comma != ',')
                    ++comma;
                char after = *comma;
                *comma = '\0';
                if (*prefix != '\0')
                    prefixes[prefix_count++] = prefix;
                prefix = after == '\0' ? comma : comma + 1;
            }
        } else if (__builtin_strcmp(word, "order=reverse") == 0) {
            reverse_order = 1;
        }
        word = next == '\0' ? end : end + 1;
    }
}

/* Marks the prefixes that select id; 1 when any does (every test when none is given). */
static int selected(const char *id)
{
    int any = prefix_count == 0;
    for (unsigned i = 0; i < prefix_count; ++i) {
        if (__builtin_strncmp(id, prefixes[i], __builtin_strlen(prefixes[i])) == 0) {
            prefix_used[i] = 1;
            any = 1;
        }
    }
    return any;
}

static int has_run(const struct systest *test)
{
    for (unsigned i = 0; i < ran_count; ++i)
        if (ran[i] == test)
            return 1;
    return 0;
}

static const struct systest *find_test(const struct systest_group *group, const char *id)
{
    for (unsigned i = 0; i < group->count; ++i)
        if (__builtin_strcmp(group->tests[i].id, id) == 0)
            return &group->tests[i];
    return 0;
}

/* ------------------------------------------------------------------ running */

/* The main thread's UTCB words a test may change; put back after each test. */
static const unsigned kept_utcb_words[] = {TERN_UTCB_USER_DEFINED_HANDLE, TERN_UTCB_PAGER, TERN_UTCB_EXCEPTION_HANDLER,
                                           TERN_UTCB_FLAGS, TERN_UTCB_TRANSFER_TIMEOUTS};
static L4_Word_t kept_utcb_values[sizeof kept_utcb_words / sizeof kept_utcb_words[0]];

static void keep_main_state(void)
{
    for (unsigned i = 0; i < sizeof kept_utcb_words / sizeof kept_utcb_words[0]; ++i)
        kept_utcb_values[i] = my_utcb()[kept_utcb_words[i] / 8];
}

static void restore_main_state(void)
{
    for (unsigned i = 0; i < sizeof kept_utcb_words / sizeof kept_utcb_words[0]; ++i)
        my_utcb()[kept_utcb_words[i] / 8] = kept_utcb_values[i];
    L4_Accept(L4_UntypedWordsAcceptor);
}

static void report(const char *id, const char *description)
{
    if (current_failed) {
        /* The harness splits description and reason at the first ": ". */
        for (char *c = current_reason; *c != '\0'; ++c)
            if (*c == '\n')
                *c = ' ';
        printf("SYSTEST not ok %s %s: %s\n", id, description, current_reason);
        ++failed_count;
    } else {
        printf("SYSTEST ok %s %s\n", id, description);
        ++passed_count;
    }
}

/* Runs test once per boot, after the test it needs. */
static void run_test(const struct systest_group *group, const struct systest *test, unsigned depth)
{
    if (has_run(test) || ran_count == MAX_TESTS)
        return;
    if (test->needs != 0) {
        const struct systest *needed = find_test(group, test->needs);
        if (needed == 0 || depth > 8) {
            ran[ran_count++] = test;
            current_failed = 1;
            snprintf(current_reason, sizeof current_reason, "it needs %s, which group %s does not have", test->needs,
                     group->name);
            report(test->id, test->description);
            return;
        }
        run_test(group, needed, depth + 1);
    }
    ran[ran_count++] = test;
    current_failed = 0;
    current_reason[0] = '\0';
    restore_main_state();
    test->run();
    cleanup_threads();
    if (group->after_each != 0)
        group->after_each();
    restore_main_state();
    report(test->id, test->description);
}

/* Deletes the threads the group left (a thread number in use other than sigma0's and
 * the root task's): a thread can be created with a number only when none has it. Returns
 * how many, naming the first few in where. */
static unsigned delete_left_threads(char *where, unsigned long capacity)
{
    unsigned left = 0;
    unsigned long at = 0;
    where[0] = '\0';
    L4_Word_t first = L4_ThreadIdUserBase(kip) + 3;
    for (L4_Word_t number = first; number < 1UL << TERN_THREAD_NUMBER_BITS; ++number) {
        L4_ThreadId_t probe = L4_GlobalId(number, 1);
        if (L4_ThreadControl(probe, main_tid, main_tid, L4_nilthread, (void *)-1) == 1) {
            L4_ThreadControl(probe, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
            continue;
        }
        if (L4_ErrorCode() != L4_ERROR_INVALID_THREAD)
            continue; /* e.g. out of memory: not a thread left behind */
        ++left;
        if (at + 24 < capacity)
            at += (unsigned long)snprintf(where + at, capacity - at, " %lu", number);
        for (L4_Word_t version = 1; version < 64; ++version)
            if (L4_ThreadControl(L4_GlobalId(number, version), L4_nilthread, L4_nilthread, L4_nilthread,
                                 (void *)-1) == 1)
                break;
    }
    return left;
}

/* What one group leaves must not reach the next: threads are deleted (and reported as
 * the group's failure), interrupt lines detached, the receive windows flushed from the
 * root task's space and the framework's own state reset. */
static void isolate(const struct systest_group *group)
{
    char where[120];
    unsigned left = delete_left_threads(where, sizeof where);
    if (left != 0) {
        current_failed = 1;
        snprintf(current_reason, sizeof current_reason, "%u threads left (numbers%s)", left, where);
        char id[40];
        snprintf(id, sizeof id, "%s.leftovers", group->name);
        report(id, "the group deletes every thread it made");
    }
    for (L4_Word_t line = 0; line < TERN_INTERRUPT_THREADS; ++line)
        L4_DeassociateInterrupt(L4_GlobalId(line, 1));
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(WINDOW_BASE, 32), L4_FullyAccessible));
    next_number = 600;
    child_faults = 0;
    fault_log_count = 0;
    watchdog_fired = 0;
}

static void run_group(const struct systest_group *group)
{
    int any = 0;
    for (unsigned i = 0; i < group->count; ++i)
        any |= selected(group->tests[i].id);
    if (!any)
        return;
    printf("systest: group %s\n", group->name);
    for (unsigned k = 0; k < group->count; ++k) {
        const struct systest *test = &group->tests[reverse_order ? group->count - 1 - k : k];
        if (selected(test->id))
            run_test(group, test, 0);
    }
    if (group->after_all != 0)
        group->after_all();
    isolate(group);
}

/* ------------------------------------------------------------------ main */

int main(void)
{
    kip = L4_GetKernelInterface();
    main_tid = L4_Myself();
    sigma0_tid = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
    image_low = *(L4_Word_t *)((L4_Word_t)kip + TERN_KIP_ROOT_SERVER_LOW);
    image_high = *(L4_Word_t *)((L4_Word_t)kip + TERN_KIP_ROOT_SERVER_HIGH);
    printf("systest: root task %lx, sigma0 %lx, image [%lx, %lx), %s\n", main_tid.raw, sigma0_tid.raw, image_low,
           image_high, suite_in_ring0() ? "in ring 0 (kernel-mode tasks)" : "in ring 3");
    read_arguments();
    if (prefix_count != 0 || reverse_order)
        printf("systest: arguments \"%s\"\n", module_arguments());
    keep_main_state();

    unsigned groups = (unsigned)(__stop_systest_groups - __start_systest_groups);
    for (unsigned k = 0; k < groups; ++k)
        run_group(&__start_systest_groups[reverse_order ? groups - 1 - k : k]);
    for (unsigned i = 0; i < prefix_count; ++i) {
        if (!prefix_used[i]) {
            printf("SYSTEST not ok %s selected test: no test id starts with %s\n", prefixes[i], prefixes[i]);
            ++failed_count;
        }
    }

    /* The kernel's memory report after every test: the deepest any thread's kernel stack
     * got is the suite's high-water mark (docs/kernel.md, "Memory per thread"). */
    L4_KDB_Enter("systest: kernel memory after the suite");
    printf("SYSTEST done %d passed, %d failed\n", passed_count, failed_count);
    kdb_exit(failed_count == 0 ? 0 : 1);
    park();
}
