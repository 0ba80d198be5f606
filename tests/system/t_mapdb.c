/* SPDX-License-Identifier: MIT */
/* MDB: the mapping database as X.2 shows it to tasks: chains of mappings in one space and
 * across spaces, recursive revocation by Unmap and Flush, rights reduction, grant, map over
 * existing mappings, access status, 2 MiB pages, space deletion, and the kernel's own pages
 * (UTCB and KIP areas), which the database leaves alone.
 *
 * Memory that gets unmapped or flushed always comes from sigma0 (GetAny into the test's
 * window), never from the root task's image: the main thread's pager is sigma0, which
 * cannot page its image back in. For the same reason the main thread touches such memory
 * only right after getting it; every later access goes through probe() (a fresh thread
 * whose pager is the main thread) or through an agent in another space, so a mapping that
 * is gone shows as a page-fault message, never as a stalled suite.
 *
 * Each test takes its own 16 MiB window: area(n) for MDB000n, with the sigma0 memory at
 * its base and the mappings derived from it at the MiB offsets below. */
#include "systest.h"

#define MIB (1UL << 20)
#define PAGE(n) ((L4_Word_t)(n) * PAGE_SIZE)
#define RET_OFFSET 0x800UL /* where code pages hold their one instruction, ret */

/* Stops the test when a helper below has recorded a failure. */
#define REQUIRE(x)     \
    do {               \
        if (!(x))      \
            return;    \
    } while (0)

static L4_Word_t area(unsigned test) { return WINDOW(100 + test); }

/* The word page n of memory filled with tag holds at its start. */
static L4_Word_t pattern(unsigned tag, L4_Word_t page) { return 0x6d64620000000000UL | (L4_Word_t)tag << 24 | page; }

/* ------------------------------------------------------------------ memory and items */

/* Gets 2^log2 bytes of sigma0's memory (GetAny) at at, which must be aligned to it, and
 * writes pattern(tag, n) at the start of each page n and a ret instruction at RET_OFFSET.
 * The main thread touches it only here. */
static int get_memory(L4_Word_t at, int log2, unsigned tag)
{
    L4_ThreadId_t dog = start_watchdog(3000); /* libl4's sigma0 call has no timeout */
    L4_Fpage_t got = L4_Sigma0_GetAny(sigma0_tid, (L4_Word_t)log2, L4_FpageLog2(at, log2));
    kill_thread(dog);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (L4_IsNilFpage(got) || L4_SizeLog2(got) != (L4_Word_t)log2) {
        fail("sigma0 gave %#lx for GetAny of 2^%d bytes (ErrorCode %lu)", got.raw, log2, L4_ErrorCode());
        return 0;
    }
    for (L4_Word_t page = 0; page < (1UL << log2) / PAGE_SIZE; ++page) {
        volatile L4_Word_t *p = (volatile L4_Word_t *)(at + PAGE(page));
        p[0] = pattern(tag, page);
        p[1] = 0;
        *(volatile unsigned char *)(at + PAGE(page) + RET_OFFSET) = 0xc3;
    }
    return 1;
}

/* Maps (or grants) the 2^log2 bytes at from to the same amount at to, both in the root
 * task's space, with rights. */
static int map(L4_Word_t from, L4_Word_t to, int log2, L4_Word_t rights)
{
    return send_item(window(to, log2), with_rights(L4_FpageLog2(from, log2), rights), 0, 0);
}

static int grant(L4_Word_t from, L4_Word_t to, int log2, L4_Word_t rights)
{
    return send_item(window(to, log2), with_rights(L4_FpageLog2(from, log2), rights), 0, 1);
}

/* Unmap (Flush with flush) of one fpage; returns the access status Unmap reported. */
static L4_Word_t unmap_fpage(L4_Word_t base, int log2, L4_Word_t rights, int flush)
{
    L4_Fpage_t f = with_rights(L4_FpageLog2(base, log2), rights);
    L4_Fpage_t back = flush ? L4_Flush(f) : L4_UnmapFpage(f);
    if ((back.raw & ~0xfUL) != (f.raw & ~0xfUL))
        fail("Unmap returned %#lx for %#lx", back.raw, f.raw);
    return L4_Rights(back);
}

/* The access status of the fpage (an Unmap with no rights), which it resets. */
static L4_Word_t status_of(L4_Word_t base, int log2) { return unmap_fpage(base, log2, 0, 0); }

static const char *status_name(L4_Word_t status)
{
    static const char *names[8] = {"none", "x", "w", "wx", "r", "rx", "rw", "rwx"};
    return names[status & 7];
}

/* ------------------------------------------------------------------ probes */

static const char *result_name(enum probe_result r)
{
    switch (r) {
    case PROBE_OK: return "no fault";
    case PROBE_FAULT: return "a page fault";
    case PROBE_TIMEOUT: return "no answer";
    default: return "no probe thread";
    }
}

/* A thread of the root task's space reads expected at address. */
static int reads(const char *what, L4_Word_t address, L4_Word_t expected)
{
    L4_Word_t value = 0, label = 0, fault = 0;
    enum probe_result r = probe(address, 0, 0, &value, &label, &fault);
    if (r != PROBE_OK) {
        fail("%s: reading %#lx gave %s (label %#lx, address %#lx), expected %#lx", what, address, result_name(r),
             label, fault, expected);
        return 0;
    }
    if (value != expected) {
        fail("%s: %#lx holds %#lx, expected %#lx", what, address, value, expected);
        return 0;
    }
    return 1;
}

/* Reading address faults there. */
static int read_faults(const char *what, L4_Word_t address)
{
    L4_Word_t value = 0, label = 0, fault = 0;
    enum probe_result r = probe(address, 0, 0, &value, &label, &fault);
    if (r != PROBE_FAULT) {
        fail("%s: reading %#lx gave %s (value %#lx), expected a page fault", what, address, result_name(r), value);
        return 0;
    }
    if (fault != address) {
        fail("%s: reading %#lx faulted at %#lx", what, address, fault);
        return 0;
    }
    return 1;
}

/* Writing value to address works (read back by another probe). */
static int writes(const char *what, L4_Word_t address, L4_Word_t value)
{
    L4_Word_t label = 0, fault = 0;
    enum probe_result r = probe(address, 1, value, 0, &label, &fault);
    if (r != PROBE_OK) {
        fail("%s: writing %#lx gave %s (label %#lx, address %#lx)", what, address, result_name(r), label, fault);
        return 0;
    }
    return reads(what, address, value);
}

/* Writing address faults there with the w bit in the fault label. */
static int write_faults(const char *what, L4_Word_t address)
{
    L4_Word_t label = 0, fault = 0;
    enum probe_result r = probe(address, 1, 0xbadbad, 0, &label, &fault);
    if (r != PROBE_FAULT) {
        fail("%s: writing %#lx gave %s, expected a page fault", what, address, result_name(r));
        return 0;
    }
    if (fault != address || (label & 2) == 0) {
        fail("%s: writing %#lx faulted with label %#lx at %#lx", what, address, label, fault);
        return 0;
    }
    return 1;
}

static struct {
    volatile L4_Word_t address;
} exec_args;

static void exec_thread(L4_Word_t arg)
{
    (void)arg;
    ((void (*)(void))exec_args.address)();
    report_to_main(1, 1, 0, 0);
}

/* Calls the code at address from a fresh thread: PROBE_OK when it returned. */
enum probe_result probe_exec(L4_Word_t address, L4_Word_t *label, L4_Word_t *fault)
{
    exec_args.address = address;
    L4_ThreadId_t t = spawn(exec_thread, 0, -1, main_tid);
    if (L4_IsNilThread(t))
        return PROBE_ERROR;
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    enum probe_result result = PROBE_TIMEOUT;
    if (is_page_fault(tag)) {
        *label = L4_Label(tag) & LABEL_MASK;
        *fault = mr(1);
        result = PROBE_FAULT;
    } else if (is_label(tag, LABEL_REPORT)) {
        result = PROBE_OK;
    }
    kill_thread(t);
    return result;
}

static int executes(const char *what, L4_Word_t page)
{
    L4_Word_t label = 0, fault = 0;
    enum probe_result r = probe_exec(page + RET_OFFSET, &label, &fault);
    if (r != PROBE_OK) {
        fail("%s: calling code at %#lx gave %s (label %#lx, address %#lx)", what, page + RET_OFFSET, result_name(r),
             label, fault);
        return 0;
    }
    return 1;
}

static int exec_faults(const char *what, L4_Word_t page)
{
    L4_Word_t label = 0, fault = 0;
    enum probe_result r = probe_exec(page + RET_OFFSET, &label, &fault);
    if (r != PROBE_FAULT) {
        fail("%s: calling code at %#lx gave %s, expected a page fault", what, page + RET_OFFSET, result_name(r));
        return 0;
    }
    if (fault != page + RET_OFFSET || (label & 1) == 0) {
        fail("%s: calling %#lx faulted with label %#lx at %#lx", what, page + RET_OFFSET, label, fault);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ an agent in another space */

/* An agent is a thread in a new space (paged with the root task's image by the main
 * thread) that calls the main thread in a loop: each call reports the result of the last
 * command, and the reply (which may carry map and grant items: the agent accepts them
 * anywhere, at the send base) starts the next command, read from agent_cmd. */
enum agent_op { OP_NONE, OP_READ, OP_WRITE, OP_UNMAP, OP_FLUSH, OP_GIVE };
enum agent_result { AGENT_OK, AGENT_FAULT, AGENT_ERROR };

static volatile struct {
    L4_Word_t op, address, value, fpage, send_base, grant;
} agent_cmd;

static void agent_main(void)
{
    L4_Word_t result = 0;
    for (;;) {
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_MsgAppendWord(&msg, result);
        if (agent_cmd.op == OP_GIVE) {
            L4_Fpage_t f = {.raw = agent_cmd.fpage};
            if (agent_cmd.grant)
                L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, agent_cmd.send_base));
            else
                L4_MsgAppendMapItem(&msg, L4_MapItem(f, agent_cmd.send_base));
        }
        L4_Set_MsgLabel(&msg, LABEL_REPORT);
        L4_MsgLoad(&msg);
        L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
        L4_MsgTag_t tag = L4_Call_Timeouts(main_tid, ms_time(2000), ms_time(20000));
        if (L4_IpcFailed(tag))
            park();
        L4_Fpage_t f = {.raw = agent_cmd.fpage};
        volatile L4_Word_t *p = (volatile L4_Word_t *)agent_cmd.address;
        switch (agent_cmd.op) {
        case OP_READ: result = *p; break;
        case OP_WRITE:
            *p = agent_cmd.value;
            result = 1;
            break;
        case OP_UNMAP: result = L4_UnmapFpage(f).raw; break;
        case OP_FLUSH: result = L4_Flush(f).raw; break;
        default: result = 0; break;
        }
    }
}

/* Receives the agent's next message, answering its page faults on the root task's image;
 * any other message (a report, or a fault elsewhere) is returned. */
static L4_MsgTag_t agent_wait(L4_ThreadId_t agent, L4_Word_t ms)
{
    L4_Word_t deadline = now_us() + ms * 1000;
    L4_MsgTag_t failed = {.raw = 0x8000};
    for (unsigned faults = 0; faults < 500; ++faults) {
        L4_Word_t now = now_us();
        if (now >= deadline)
            break;
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = recv_ms(agent, (deadline - now) / 1000 + 1, &from);
        if (!is_page_fault(tag) || mr(1) < image_low || mr(1) >= image_high)
            return tag;
        if (!answer_page_fault(from))
            break;
    }
    return failed;
}

static L4_Word_t agent_fault_label;

/* Replies to the waiting agent with the message in the MRs, starting op, and waits for its
 * report (accepting items with accept): AGENT_OK with the result, AGENT_FAULT with the
 * fault address (label in agent_fault_label), or AGENT_ERROR with the failure recorded. */
static enum agent_result agent_go(L4_ThreadId_t agent, L4_Word_t op, L4_Acceptor_t accept, L4_Word_t *result)
{
    agent_cmd.op = op;
    if (L4_IpcFailed(send_ms(agent, 1000))) {
        fail("the agent did not take its command (ErrorCode %lu)", L4_ErrorCode());
        return AGENT_ERROR;
    }
    L4_Accept(accept);
    L4_MsgTag_t tag = agent_wait(agent, 3000);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (is_page_fault(tag)) {
        agent_fault_label = L4_Label(tag) & LABEL_MASK;
        *result = mr(1);
        return AGENT_FAULT;
    }
    if (!is_label(tag, LABEL_REPORT)) {
        fail("no report from the agent (tag %#lx, label %#lx, MR1 %#lx)", tag.raw, L4_Label(tag), mr(1));
        return AGENT_ERROR;
    }
    *result = mr(1);
    return AGENT_OK;
}

/* A new agent on child stack `stack`, waiting for its first command. */
static L4_ThreadId_t start_agent(unsigned stack)
{
    agent_cmd.op = OP_NONE;
    L4_ThreadId_t agent = spawn_child(agent_main, stack);
    if (L4_IsNilThread(agent))
        return agent;
    L4_MsgTag_t tag = agent_wait(agent, 3000);
    if (!is_label(tag, LABEL_REPORT)) {
        fail("the agent never reported (tag %#lx)", tag.raw);
        return L4_nilthread;
    }
    return agent;
}

/* The agent gets the 2^log2 bytes at from (root task) at to in its space. */
static int agent_receive(L4_ThreadId_t agent, L4_Word_t from, L4_Word_t to, int log2, L4_Word_t rights, int grant)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Fpage_t f = with_rights(L4_FpageLog2(from, log2), rights);
    if (grant)
        L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, to));
    else
        L4_MsgAppendMapItem(&msg, L4_MapItem(f, to));
    L4_MsgLoad(&msg);
    L4_Word_t result;
    return agent_go(agent, OP_NONE, L4_UntypedWordsAcceptor, &result) == AGENT_OK;
}

/* The agent maps (grants) its 2^log2 bytes at from to the root task's window at to. */
static int agent_give(L4_ThreadId_t agent, L4_Word_t from, L4_Word_t to, int log2, L4_Word_t rights, int grant)
{
    agent_cmd.fpage = with_rights(L4_FpageLog2(from, log2), rights).raw;
    agent_cmd.send_base = 0;
    agent_cmd.grant = (L4_Word_t)grant;
    load_msg(0, 0, 0, 0, 0);
    L4_Word_t result;
    if (agent_go(agent, OP_GIVE, window(to, log2), &result) != AGENT_OK)
        return 0;
    /* The item travelled with that report; the next command starts from OP_NONE. */
    agent_cmd.op = OP_NONE;
    return 1;
}

static enum agent_result agent_read(L4_ThreadId_t agent, L4_Word_t address, L4_Word_t *value)
{
    agent_cmd.address = address;
    load_msg(0, 0, 0, 0, 0);
    return agent_go(agent, OP_READ, L4_UntypedWordsAcceptor, value);
}

static int agent_reads(const char *what, L4_ThreadId_t agent, L4_Word_t address, L4_Word_t expected)
{
    L4_Word_t value = 0;
    enum agent_result r = agent_read(agent, address, &value);
    if (r == AGENT_FAULT)
        fail("%s: the agent's read of %#lx faulted (label %#lx, address %#lx)", what, address, agent_fault_label,
             value);
    else if (r == AGENT_OK && value != expected)
        fail("%s: the agent read %#lx at %#lx, expected %#lx", what, value, address, expected);
    return r == AGENT_OK && value == expected;
}

/* The agent's read of address faults there (the agent is of no further use then). */
static int agent_read_faults(const char *what, L4_ThreadId_t agent, L4_Word_t address)
{
    L4_Word_t value = 0;
    enum agent_result r = agent_read(agent, address, &value);
    if (r == AGENT_OK)
        fail("%s: the agent read %#lx at %#lx, expected a page fault", what, value, address);
    else if (r == AGENT_FAULT && value != address)
        fail("%s: the agent's read of %#lx faulted at %#lx", what, address, value);
    return r == AGENT_FAULT && value == address;
}

static enum agent_result agent_write(L4_ThreadId_t agent, L4_Word_t address, L4_Word_t value, L4_Word_t *result)
{
    agent_cmd.address = address;
    agent_cmd.value = value;
    load_msg(0, 0, 0, 0, 0);
    return agent_go(agent, OP_WRITE, L4_UntypedWordsAcceptor, result);
}

/* Unmap (Flush) in the agent's space; the returned fpage in *back. */
static int agent_unmap(L4_ThreadId_t agent, L4_Fpage_t fpage, int flush, L4_Word_t *back)
{
    agent_cmd.fpage = fpage.raw;
    load_msg(0, 0, 0, 0, 0);
    enum agent_result r = agent_go(agent, flush ? OP_FLUSH : OP_UNMAP, L4_UntypedWordsAcceptor, back);
    if (r == AGENT_FAULT)
        fail("the agent faulted at %#lx around its Unmap", *back);
    return r == AGENT_OK;
}

/* ------------------------------------------------------------------ chains and revocation */

/* MDB0001 */
static void chain_in_one_space(void)
{
    L4_Word_t p = area(1), w1 = p + 4 * MIB, w2 = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 1));
    REQUIRE(map(p, w1, 12, L4_FullyAccessible) && map(w1, w2, 12, L4_FullyAccessible));
    REQUIRE(reads("W1", w1, pattern(1, 0)));
    REQUIRE(reads("W2", w2, pattern(1, 0)));
    REQUIRE(writes("W2", w2 + 8, 0x2222));
    REQUIRE(reads("P after a write through W2", p + 8, 0x2222));
    REQUIRE(reads("W1 after a write through W2", w1 + 8, 0x2222));
}

/* P -> W1 -> W2 in the root task's space, P from sigma0 at area(test). */
static int make_chain(unsigned test, L4_Word_t *p, L4_Word_t *w1, L4_Word_t *w2)
{
    *p = area(test);
    *w1 = *p + 4 * MIB;
    *w2 = *p + 8 * MIB;
    return get_memory(*p, 12, test) && map(*p, *w1, 12, L4_FullyAccessible) && map(*w1, *w2, 12, L4_FullyAccessible);
}

/* MDB0002 */
static void unmap_keeps_own(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(2, &p, &w1, &w2));
    REQUIRE(reads("W2 before", w2, pattern(2, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W1 after Unmap of P", w1));
    REQUIRE(read_faults("W2 after Unmap of P", w2));
    REQUIRE(reads("P after Unmap of P without flush", p, pattern(2, 0)));
    REQUIRE(writes("P after Unmap of P without flush", p + 8, 0x1212));
}

/* MDB0003 */
static void flush_removes_own(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(3, &p, &w1, &w2));
    REQUIRE(reads("W2 before", w2, pattern(3, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 1);
    REQUIRE(read_faults("P after Flush of P", p));
    REQUIRE(read_faults("W1 after Flush of P", w1));
    REQUIRE(read_faults("W2 after Flush of P", w2));
}

/* MDB0004 */
static void unmap_middle(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(4, &p, &w1, &w2));
    L4_Word_t w3 = p + 12 * MIB, sibling = p + 13 * MIB;
    REQUIRE(map(w1, w3, 12, L4_FullyAccessible) && map(p, sibling, 12, L4_FullyAccessible));
    REQUIRE(reads("W3 before", w3, pattern(4, 0)));
    unmap_fpage(w1, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W2 after Unmap of W1", w2));
    REQUIRE(read_faults("W3 (W1's other child) after Unmap of W1", w3));
    REQUIRE(reads("W1 after Unmap of W1 without flush", w1, pattern(4, 0)));
    REQUIRE(reads("P after Unmap of W1", p, pattern(4, 0)));
    REQUIRE(reads("P's other child after Unmap of W1", sibling, pattern(4, 0)));
    unmap_fpage(w1, 12, L4_FullyAccessible, 1);
    REQUIRE(read_faults("W1 after Flush of W1", w1));
    REQUIRE(reads("P after Flush of W1", p, pattern(4, 0)));
    REQUIRE(reads("P's other child after Flush of W1", sibling, pattern(4, 0)));
}

/* MDB0005 */
static void chain_across_spaces(void)
{
    L4_Word_t p = area(5), x = area(5) + 4 * MIB, w2 = area(5) + 8 * MIB;
    REQUIRE(get_memory(p, 12, 5));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_reads("the agent's mapping X of P", agent, x, pattern(5, 0)));
    REQUIRE(agent_give(agent, x, w2, 12, L4_FullyAccessible, 0));
    REQUIRE(reads("W2 (mapped by the agent from X)", w2, pattern(5, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W2 after Unmap of P", w2));
    REQUIRE(reads("P after Unmap of P", p, pattern(5, 0)));
    REQUIRE(agent_read_faults("X after Unmap of P", agent, x));
}

/* MDB0006 */
static void chain_through_three_spaces(void)
{
    L4_Word_t p = area(6), x = p + 4 * MIB, y = p + 5 * MIB, w = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 6));
    L4_ThreadId_t first = start_agent(0);
    REQUIRE(!L4_IsNilThread(first));
    L4_ThreadId_t second = start_agent(1);
    REQUIRE(!L4_IsNilThread(second));
    /* P -> first's X -> (through the root task's window, granted on) second's Y -> W. */
    REQUIRE(agent_receive(first, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_give(first, x, y, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_receive(second, y, y, 12, L4_FullyAccessible, 1));
    REQUIRE(read_faults("the root task's window after granting it on", y));
    REQUIRE(agent_give(second, y, w, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_reads("second agent's Y", second, y, pattern(6, 0)));
    REQUIRE(reads("W", w, pattern(6, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W after Unmap of P", w));
    REQUIRE(reads("P after Unmap of P", p, pattern(6, 0)));
    REQUIRE(agent_read_faults("second agent's Y after Unmap of P", second, y));
    REQUIRE(agent_read_faults("first agent's X after Unmap of P", first, x));
}

/* MDB0007 */
static void unmap_middle_in_other_space(void)
{
    L4_Word_t p = area(7), x = p + 4 * MIB, w2 = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 7));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_give(agent, x, w2, 12, L4_FullyAccessible, 0));
    REQUIRE(reads("W2 before", w2, pattern(7, 0)));
    L4_Word_t back = 0;
    REQUIRE(agent_unmap(agent, with_rights(L4_FpageLog2(x, 12), L4_FullyAccessible), 0, &back));
    REQUIRE(read_faults("W2 after the agent's Unmap of X", w2));
    REQUIRE(agent_reads("X after the agent's Unmap without flush", agent, x, pattern(7, 0)));
    REQUIRE(reads("P after the agent's Unmap", p, pattern(7, 0)));
    REQUIRE(agent_unmap(agent, with_rights(L4_FpageLog2(x, 12), L4_FullyAccessible), 1, &back));
    REQUIRE(reads("P after the agent's Flush", p, pattern(7, 0)));
    REQUIRE(agent_read_faults("X after the agent's Flush of X", agent, x));
}

/* ------------------------------------------------------------------ rights */

/* MDB0008 */
static void unmap_write_right(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(8, &p, &w1, &w2));
    L4_Word_t x = p + 12 * MIB;
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, w1, x, 12, L4_FullyAccessible, 0));
    REQUIRE(writes("W2 before", w2 + 8, 0x8888));
    unmap_fpage(p, 12, L4_Writable, 0);
    REQUIRE(reads("W1 after Unmap of w", w1 + 8, 0x8888));
    REQUIRE(reads("W2 after Unmap of w", w2 + 8, 0x8888));
    REQUIRE(write_faults("W1 after Unmap of w", w1 + 8));
    REQUIRE(write_faults("W2 after Unmap of w", w2 + 8));
    REQUIRE(writes("P after Unmap of w without flush", p + 8, 0x8889));
    REQUIRE(reads("W2 after P was written", w2 + 8, 0x8889));
    REQUIRE(agent_reads("the agent's X (from W1)", agent, x + 8, 0x8889));
    L4_Word_t result = 0;
    enum agent_result r = agent_write(agent, x + 8, 0xbad, &result);
    CHECK(r == AGENT_FAULT && result == x + 8 && (agent_fault_label & 2) != 0,
          "the agent's write to X after Unmap of w: result %d (address %#lx, label %#lx), expected a write fault", r,
          result, agent_fault_label);
    REQUIRE(reads("P after the agent's write fault", p + 8, 0x8889));
}

/* MDB0009 */
static void flush_write_right(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(9, &p, &w1, &w2));
    unmap_fpage(p, 12, L4_Writable, 1);
    REQUIRE(reads("P after Flush of w", p, pattern(9, 0)));
    REQUIRE(write_faults("P after Flush of w", p + 8));
    REQUIRE(write_faults("W2 after Flush of w", w2 + 8));
    REQUIRE(reads("W2 after Flush of w", w2, pattern(9, 0)));
    REQUIRE(executes("P after Flush of w (x stays)", p));
}

/* MDB0010 */
static void unmap_execute_right(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(10, &p, &w1, &w2));
    REQUIRE(executes("W2 before", w2));
    unmap_fpage(p, 12, L4_eXecutable, 0);
    REQUIRE(exec_faults("W1 after Unmap of x", w1));
    REQUIRE(exec_faults("W2 after Unmap of x", w2));
    REQUIRE(reads("W2 after Unmap of x", w2, pattern(10, 0)));
    REQUIRE(writes("W2 after Unmap of x", w2 + 8, 0x1010));
    REQUIRE(executes("P after Unmap of x without flush", p));
}

/* MDB0011 */
static void rights_only_shrink(void)
{
    L4_Word_t p = area(11), w1 = p + 4 * MIB, w2 = p + 8 * MIB, w3 = p + 12 * MIB;
    REQUIRE(get_memory(p, 12, 11));
    REQUIRE(map(p, w1, 12, L4_Readable));
    REQUIRE(map(w1, w2, 12, L4_FullyAccessible)); /* asks for more than W1 has */
    REQUIRE(reads("W2", w2, pattern(11, 0)));
    REQUIRE(write_faults("W2 (from a read-only W1, item rwx)", w2 + 8));
    REQUIRE(exec_faults("W2 (from a read-only W1, item rwx)", w2));
    REQUIRE(map(p, w3, 12, L4_ReadWriteOnly));
    REQUIRE(writes("W3 (item rw)", w3 + 8, 0x1111));
    REQUIRE(exec_faults("W3 (item rw)", w3));
    REQUIRE(write_faults("W1 (item r)", w1 + 8));
}

/* ------------------------------------------------------------------ grant */

/* MDB0012 */
static void grant_in_one_space(void)
{
    L4_Word_t p = area(12), w1 = p + 4 * MIB, g = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 12));
    REQUIRE(map(p, w1, 12, L4_FullyAccessible));
    REQUIRE(grant(w1, g, 12, L4_FullyAccessible));
    REQUIRE(read_faults("W1 after granting it", w1));
    REQUIRE(reads("the granted page", g, pattern(12, 0)));
    REQUIRE(writes("the granted page", g + 8, 0x1212));
    REQUIRE(reads("P after a write to the granted page", p + 8, 0x1212));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("the granted page after Unmap of P (the grantor's parent)", g));
    REQUIRE(reads("P after Unmap of P", p, pattern(12, 0)));
}

/* MDB0013 */
static void grant_across_spaces(void)
{
    L4_Word_t p = area(13), x = p + 4 * MIB, g = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 13));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_give(agent, x, g, 12, L4_FullyAccessible, 1));
    REQUIRE(reads("the page the agent granted", g, pattern(13, 0)));
    REQUIRE(agent_read_faults("X after the agent granted it", agent, x));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("the granted page after Unmap of P (the grantor's parent)", g));
    REQUIRE(reads("P after Unmap of P", p, pattern(13, 0)));
}

/* MDB0014 */
static void grant_fewer_rights(void)
{
    L4_Word_t p = area(14), w1 = p + 4 * MIB, g = p + 8 * MIB, w3 = p + 12 * MIB;
    REQUIRE(get_memory(p, 12, 14));
    REQUIRE(map(p, w1, 12, L4_FullyAccessible) && map(w1, w3, 12, L4_FullyAccessible));
    REQUIRE(writes("W3 before", w3 + 8, 0x1414));
    REQUIRE(grant(w1, g, 12, L4_Readable));
    REQUIRE(read_faults("W1 after granting it", w1));
    REQUIRE(reads("the page granted read-only", g + 8, 0x1414));
    REQUIRE(write_faults("the page granted read-only", g + 8));
    REQUIRE(reads("W3 (derived from the granted page)", w3 + 8, 0x1414));
    REQUIRE(write_faults("W3 (derived from the page granted read-only)", w3 + 8));
    REQUIRE(writes("P", p + 8, 0x1415));
    REQUIRE(reads("the granted page after P was written", g + 8, 0x1415));
}

/* ------------------------------------------------------------------ map over mappings */

/* MDB0015 */
static void map_replaces(void)
{
    L4_Word_t p1 = area(15), p2 = p1 + PAGE(1), w = p1 + 4 * MIB, d = p1 + 8 * MIB, other = p1 + 12 * MIB;
    REQUIRE(get_memory(p1, 12, 15) && get_memory(p2, 12, 115));
    REQUIRE(map(p1, w, 12, L4_FullyAccessible) && map(w, d, 12, L4_FullyAccessible));
    REQUIRE(map(p1, other, 12, L4_FullyAccessible));
    REQUIRE(reads("D before", d, pattern(15, 0)));
    REQUIRE(map(p2, w, 12, L4_FullyAccessible));
    REQUIRE(reads("W after mapping P2 over it", w, pattern(115, 0)));
    REQUIRE(read_faults("D (derived from W's old mapping)", d));
    REQUIRE(reads("P1", p1, pattern(15, 0)));
    REQUIRE(reads("P1's other mapping", other, pattern(15, 0)));
    unmap_fpage(p1, 12, L4_FullyAccessible, 0);
    REQUIRE(reads("W (now P2's) after Unmap of P1", w, pattern(115, 0)));
    unmap_fpage(p2, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W after Unmap of P2", w));
}

/* MDB0016 */
static void overlapping_maps(void)
{
    L4_Word_t q = area(16), r = q + 1 * MIB, w = q + 4 * MIB, v = q + 8 * MIB;
    REQUIRE(get_memory(q, 14, 16) && get_memory(r, 12, 116));
    /* 16 KiB, then 4 KiB into its middle. */
    REQUIRE(map(q, w, 14, L4_FullyAccessible));
    REQUIRE(map(r, w + PAGE(2), 12, L4_FullyAccessible));
    REQUIRE(reads("W page 0", w, pattern(16, 0)) && reads("W page 1", w + PAGE(1), pattern(16, 1)));
    REQUIRE(reads("W page 2 (mapped over)", w + PAGE(2), pattern(116, 0)));
    REQUIRE(reads("W page 3", w + PAGE(3), pattern(16, 3)));
    unmap_fpage(q, 14, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W page 0 after Unmap of Q", w));
    REQUIRE(read_faults("W page 3 after Unmap of Q", w + PAGE(3)));
    REQUIRE(reads("W page 2 (R's) after Unmap of Q", w + PAGE(2), pattern(116, 0)));
    /* 4 KiB, then 16 KiB over it. */
    REQUIRE(map(r, v + PAGE(1), 12, L4_FullyAccessible));
    REQUIRE(map(q, v, 14, L4_FullyAccessible));
    REQUIRE(reads("V page 1 after 16 KiB mapped over it", v + PAGE(1), pattern(16, 1)));
    unmap_fpage(r, 12, L4_FullyAccessible, 0);
    REQUIRE(reads("V page 1 after Unmap of R (no longer R's)", v + PAGE(1), pattern(16, 1)));
    REQUIRE(read_faults("W page 2 after Unmap of R", w + PAGE(2)));
}

/* MDB0017 */
static void map_onto_itself(void)
{
    L4_Word_t p = area(17), w1 = p + 4 * MIB;
    REQUIRE(get_memory(p, 14, 17));
    REQUIRE(map(p, w1, 14, L4_FullyAccessible));
    REQUIRE(map(p, p, 14, L4_FullyAccessible));
    REQUIRE(map(p, p, 12, L4_Readable));
    REQUIRE(reads("P after mapping it onto itself", p + PAGE(3), pattern(17, 3)));
    REQUIRE(writes("P after mapping it read-only onto itself", p + 8, 0x1717));
    REQUIRE(reads("W1 after P was mapped onto itself", w1 + 8, 0x1717));
    REQUIRE(map(w1, w1, 14, L4_FullyAccessible));
    REQUIRE(reads("W1 after mapping it onto itself", w1 + PAGE(2), pattern(17, 2)));
    unmap_fpage(p, 14, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W1 after Unmap of P (still derived from P)", w1));
}

/* MDB0018 */
static void map_onto_ancestor(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(18, &p, &w1, &w2));
    REQUIRE(map(w2, p, 12, L4_FullyAccessible));
    REQUIRE(map(w1, p, 12, L4_FullyAccessible));
    REQUIRE(map(w2, w1, 12, L4_FullyAccessible));
    REQUIRE(reads("P after W2 and W1 were mapped onto it", p, pattern(18, 0)));
    REQUIRE(reads("W1 after W2 was mapped onto it", w1, pattern(18, 0)));
    REQUIRE(reads("W2", w2, pattern(18, 0)));
    L4_Word_t x = p + 12 * MIB;
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, w2, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_give(agent, x, p, 12, L4_FullyAccessible, 0)); /* X onto P, its ancestor, across spaces */
    REQUIRE(reads("P after the agent mapped X onto it", p, pattern(18, 0)));
    REQUIRE(reads("W2 after the agent mapped X onto P", w2, pattern(18, 0)));
    REQUIRE(agent_reads("X after mapping it onto P", agent, x, pattern(18, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W2 after Unmap of P", w2));
    REQUIRE(agent_read_faults("X after Unmap of P", agent, x));
}

/* MDB0019 */
static void sender_lacks_pages(void)
{
    L4_Word_t q = area(19), w = q + 4 * MIB;
    /* Pages 0, 1 and 3 of a 16 KiB fpage; page 2 is not mapped. */
    REQUIRE(get_memory(q, 12, 19) && get_memory(q + PAGE(1), 12, 119) && get_memory(q + PAGE(3), 12, 219));
    REQUIRE(map(q, w, 14, L4_FullyAccessible));
    REQUIRE(reads("W page 0", w, pattern(19, 0)));
    REQUIRE(reads("W page 1", w + PAGE(1), pattern(119, 0)));
    REQUIRE(reads("W page 3", w + PAGE(3), pattern(219, 0)));
    REQUIRE(read_faults("W page 2 (the sender has none)", w + PAGE(2)));
}

/* ------------------------------------------------------------------ access status */

/* MDB0020 */
static void status_after_read(void)
{
    L4_Word_t p = area(20);
    REQUIRE(get_memory(p, 12, 20));
    status_of(p, 12); /* get_memory wrote it */
    L4_Word_t s = status_of(p, 12);
    CHECK(s == 0, "status of an untouched page: %s", status_name(s));
    REQUIRE(reads("P", p, pattern(20, 0)));
    s = status_of(p, 12);
    CHECK(s == L4_Readable, "status after a read: %s, expected r", status_name(s));
}

/* MDB0021 */
static void status_after_write(void)
{
    L4_Word_t p = area(21);
    REQUIRE(get_memory(p, 12, 21));
    status_of(p, 12);
    REQUIRE(writes("P", p + 8, 0x2121)); /* a write, then a read */
    L4_Word_t s = status_of(p, 12);
    CHECK(s == L4_ReadWriteOnly, "status after a write: %s, expected rw", status_name(s));
    L4_Word_t label = 0, fault = 0;
    CHECK(probe(p + 16, 1, 0x2122, 0, &label, &fault) == PROBE_OK, "writing P failed");
    s = status_of(p, 12);
    CHECK(s == L4_ReadWriteOnly, "status after a write only: %s, expected rw", status_name(s));
}

/* MDB0022 */
static void second_query_empty(void)
{
    L4_Word_t p = area(22);
    REQUIRE(get_memory(p, 12, 22));
    status_of(p, 12);
    REQUIRE(writes("P", p + 8, 0x2222));
    L4_Word_t first = status_of(p, 12);
    L4_Word_t second = status_of(p, 12);
    CHECK(first == L4_ReadWriteOnly && second == 0, "status after a write %s, then %s; expected rw, then none",
          status_name(first), status_name(second));
    REQUIRE(reads("P", p + 8, 0x2222));
    L4_Word_t third = status_of(p, 12);
    CHECK(third == L4_Readable, "status after reading again: %s, expected r", status_name(third));
}

/* MDB0023 */
static void status_from_derived(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(23, &p, &w1, &w2));
    L4_Word_t x = p + 12 * MIB;
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, w1, x, 12, L4_FullyAccessible, 0));
    status_of(p, 12);
    L4_Word_t s = status_of(p, 12);
    CHECK(s == 0, "status of P and its derived mappings before any access: %s", status_name(s));
    REQUIRE(reads("W2", w2, pattern(23, 0)));
    s = status_of(p, 12);
    CHECK(s == L4_Readable, "P's status after a read through W2: %s, expected r", status_name(s));
    L4_Word_t label = 0, fault = 0;
    CHECK(probe(w2 + 8, 1, 0x2323, 0, &label, &fault) == PROBE_OK, "writing W2 failed");
    s = status_of(w1, 12);
    CHECK(s == L4_ReadWriteOnly, "W1's status after a write through W2: %s, expected rw", status_name(s));
    s = status_of(p, 12);
    CHECK(s == 0, "P's status after W1's query took it: %s, expected none", status_name(s));
    REQUIRE(agent_reads("X", agent, x + 8, 0x2323));
    s = status_of(p, 12);
    CHECK(s == L4_Readable, "P's status after the agent read X: %s, expected r", status_name(s));
    L4_Word_t result = 0;
    CHECK(agent_write(agent, x + 16, 0x2324, &result) == AGENT_OK, "the agent could not write X");
    s = status_of(p, 12);
    CHECK(s == L4_ReadWriteOnly, "P's status after the agent wrote X: %s, expected rw", status_name(s));
}

/* MDB0024 */
static void query_changes_nothing(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(24, &p, &w1, &w2));
    L4_Word_t x = p + 12 * MIB;
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, w2, x, 12, L4_FullyAccessible, 0));
    unmap_fpage(p, 12, 0, 0);
    unmap_fpage(p, 12, 0, 1); /* Flush with no rights: a query too */
    unmap_fpage(w1, 12, 0, 1);
    REQUIRE(writes("P after the queries", p + 8, 0x2424));
    REQUIRE(writes("W1 after the queries", w1 + 16, 0x2425));
    REQUIRE(writes("W2 after the queries", w2 + 24, 0x2426));
    REQUIRE(executes("W2 after the queries", w2));
    REQUIRE(agent_reads("X after the queries", agent, x + 8, 0x2424));
    L4_Word_t result = 0;
    CHECK(agent_write(agent, x + 32, 0x2427, &result) == AGENT_OK, "the agent could not write X after the queries");
    REQUIRE(reads("P after the agent wrote X", p + 32, 0x2427));
}

/* MDB0025 */
static void unmap_reports_revoked(void)
{
    L4_Word_t p = area(25);
    REQUIRE(get_memory(p, 12, 25));
    L4_Word_t w[10];
    for (int i = 0; i < 10; ++i) {
        w[i] = p + 4 * MIB + PAGE(i);
        REQUIRE(map(p, w[i], 12, L4_FullyAccessible));
    }
    status_of(p, 12);
    REQUIRE(writes("W7", w[7] + 8, 0x2525));
    L4_Word_t s = unmap_fpage(p, 12, L4_FullyAccessible, 0);
    CHECK(s == L4_ReadWriteOnly, "Unmap of P after a write through W7 reported %s, expected rw", status_name(s));
    for (int i = 0; i < 10; ++i) {
        char what[48];
        snprintf(what, sizeof what, "derived mapping %d of 10 after one Unmap of P", i);
        REQUIRE(read_faults(what, w[i]));
    }
    REQUIRE(reads("P after Unmap", p + 8, 0x2525));
    s = status_of(p, 12);
    CHECK(s == L4_Readable, "P's status after only the probe read it: %s, expected r", status_name(s));
}

/* ------------------------------------------------------------------ sizes */

/* MDB0026 */
static void sixteen_pages_in_one_item(void)
{
    L4_Word_t q = area(26), w = q + 4 * MIB;
    REQUIRE(get_memory(q, 16, 26));
    REQUIRE(map(q, w, 16, L4_FullyAccessible));
    for (L4_Word_t i = 0; i < 16; ++i)
        REQUIRE(reads("a page of the 16-page window", w + PAGE(i), pattern(26, i)));
    unmap_fpage(q + PAGE(5), 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W page 5 after Unmap of Q's page 5", w + PAGE(5)));
    REQUIRE(reads("W page 4 after Unmap of Q's page 5", w + PAGE(4), pattern(26, 4)));
    REQUIRE(reads("W page 6 after Unmap of Q's page 5", w + PAGE(6), pattern(26, 6)));
    unmap_fpage(q, 16, L4_FullyAccessible, 0);
    for (L4_Word_t i = 0; i < 16; ++i)
        REQUIRE(read_faults("a page of W after Unmap of all of Q", w + PAGE(i)));
    REQUIRE(reads("Q after Unmap", q + PAGE(15), pattern(26, 15)));
}

/* MDB0027 */
static void large_page_shares_accessed_bit(void)
{
    L4_Word_t a = area(27), b = a + 4 * MIB;
    REQUIRE(get_memory(a, 21, 27));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    status_of(b, 21);
    L4_Word_t s = status_of(b + PAGE(100), 12);
    CHECK(s == 0, "status of B's page 100 before any access: %s", status_name(s));
    REQUIRE(reads("B page 5", b + PAGE(5), pattern(27, 5)));
    s = status_of(b + PAGE(100), 12);
    CHECK(s == L4_Readable, "status of B's untouched page 100 after a read of page 5: %s, expected r (one 2 MiB "
          "page, one accessed bit)", status_name(s));
    REQUIRE(reads("B page 511", b + PAGE(511), pattern(27, 511)));
}

/* MDB0028 */
static void large_page_to_small_window(void)
{
    L4_Word_t a = area(28), c = a + 8 * MIB + 1 * MIB;
    REQUIRE(get_memory(a, 21, 28));
    /* A 1 MiB window that is not 2 MiB aligned: the first half of A arrives in 4 KiB pages. */
    REQUIRE(send_item(window(c, 20), with_rights(L4_FpageLog2(a, 21), L4_FullyAccessible), 0, 0));
    status_of(c, 20);
    L4_Word_t s = status_of(c + PAGE(100), 12);
    CHECK(s == 0, "status of C's page 100 before any access: %s", status_name(s));
    REQUIRE(reads("C page 5", c + PAGE(5), pattern(28, 5)));
    s = status_of(c + PAGE(100), 12);
    CHECK(s == 0, "status of C's untouched page 100 after a read of page 5: %s, expected none (4 KiB pages)",
          status_name(s));
    s = status_of(c + PAGE(5), 12);
    CHECK(s == L4_Readable, "status of C's page 5 after reading it: %s, expected r", status_name(s));
    REQUIRE(reads("C page 255", c + PAGE(255), pattern(28, 255)));
    REQUIRE(read_faults("past the 1 MiB window", c + 1 * MIB));
}

/* MDB0029 */
static void flush_page_of_derived_large(void)
{
    L4_Word_t a = area(29), b = a + 4 * MIB;
    REQUIRE(get_memory(a, 21, 29));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    REQUIRE(reads("B page 7 before", b + PAGE(7), pattern(29, 7)));
    unmap_fpage(b + PAGE(7), 12, L4_FullyAccessible, 1);
    REQUIRE(read_faults("B page 7 after its Flush", b + PAGE(7)));
    REQUIRE(reads("B page 6 after Flush of page 7", b + PAGE(6), pattern(29, 6)));
    REQUIRE(reads("B page 8 after Flush of page 7", b + PAGE(8), pattern(29, 8)));
    REQUIRE(reads("B page 0 after Flush of page 7", b, pattern(29, 0)));
    REQUIRE(reads("B page 511 after Flush of page 7", b + PAGE(511), pattern(29, 511)));
    REQUIRE(writes("B page 300 after Flush of page 7", b + PAGE(300) + 8, 0x2929));
    REQUIRE(reads("A page 300 after the write through B", a + PAGE(300) + 8, 0x2929));
    REQUIRE(reads("A page 7 after Flush of B's page 7", a + PAGE(7), pattern(29, 7)));
    unmap_fpage(a, 21, L4_FullyAccessible, 0);
    REQUIRE(read_faults("B page 0 after Unmap of A", b));
    REQUIRE(read_faults("B page 300 after Unmap of A", b + PAGE(300)));
    REQUIRE(reads("A after Unmap of A", a + PAGE(7), pattern(29, 7)));
}

/* MDB0030 */
static void unmap_page_of_source_large(void)
{
    L4_Word_t a = area(30), b = a + 4 * MIB, c = a + 8 * MIB;
    REQUIRE(get_memory(a, 21, 30));
    REQUIRE(map(a, b, 21, L4_FullyAccessible) && map(a, c, 21, L4_FullyAccessible));
    REQUIRE(reads("C page 7 before", c + PAGE(7), pattern(30, 7)));
    unmap_fpage(a + PAGE(7), 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("B page 7 after Unmap of A's page 7", b + PAGE(7)));
    REQUIRE(read_faults("C page 7 after Unmap of A's page 7", c + PAGE(7)));
    REQUIRE(reads("B page 6", b + PAGE(6), pattern(30, 6)));
    REQUIRE(reads("B page 8", b + PAGE(8), pattern(30, 8)));
    REQUIRE(reads("C page 0", c, pattern(30, 0)));
    REQUIRE(reads("C page 511", c + PAGE(511), pattern(30, 511)));
    REQUIRE(reads("A page 7 after Unmap without flush", a + PAGE(7), pattern(30, 7)));
    unmap_fpage(a + PAGE(9), 12, L4_FullyAccessible, 1);
    REQUIRE(read_faults("A page 9 after its Flush", a + PAGE(9)));
    REQUIRE(read_faults("B page 9 after Flush of A's page 9", b + PAGE(9)));
    REQUIRE(reads("C page 10 after Flush of A's page 9", c + PAGE(10), pattern(30, 10)));
    REQUIRE(reads("A page 10 after Flush of A's page 9", a + PAGE(10), pattern(30, 10)));
}

/* MDB0031 */
static void partial_grant_of_large(void)
{
    L4_Word_t a = area(31), b = a + 4 * MIB, g = a + 8 * MIB;
    REQUIRE(get_memory(a, 21, 31));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    REQUIRE(grant(b + PAGE(3), g, 12, L4_FullyAccessible));
    REQUIRE(reads("the granted 4 KiB of B", g, pattern(31, 3)));
    REQUIRE(read_faults("B page 3 after granting it", b + PAGE(3)));
    REQUIRE(reads("B page 2 after granting page 3", b + PAGE(2), pattern(31, 2)));
    REQUIRE(reads("B page 4 after granting page 3", b + PAGE(4), pattern(31, 4)));
    REQUIRE(reads("B page 511 after granting page 3", b + PAGE(511), pattern(31, 511)));
    REQUIRE(reads("A page 3", a + PAGE(3), pattern(31, 3)));
    unmap_fpage(a + PAGE(3), 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("the granted page after Unmap of A's page 3", g));
    REQUIRE(reads("B page 4 after Unmap of A's page 3", b + PAGE(4), pattern(31, 4)));
    unmap_fpage(a, 21, L4_FullyAccessible, 0);
    REQUIRE(read_faults("B page 4 after Unmap of A", b + PAGE(4)));
}

/* MDB0032 */
static void map_small_into_large(void)
{
    L4_Word_t a = area(32), b = a + 4 * MIB, r = a + 8 * MIB;
    REQUIRE(get_memory(a, 21, 32) && get_memory(r, 12, 132));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    REQUIRE(map(r, b + PAGE(5), 12, L4_FullyAccessible));
    REQUIRE(reads("B page 5 (R mapped over it)", b + PAGE(5), pattern(132, 0)));
    REQUIRE(reads("B page 4", b + PAGE(4), pattern(32, 4)));
    REQUIRE(reads("B page 6", b + PAGE(6), pattern(32, 6)));
    REQUIRE(reads("A page 5", a + PAGE(5), pattern(32, 5)));
    unmap_fpage(a, 21, L4_FullyAccessible, 0);
    REQUIRE(read_faults("B page 4 after Unmap of A", b + PAGE(4)));
    REQUIRE(reads("B page 5 (R's) after Unmap of A", b + PAGE(5), pattern(132, 0)));
}

/* ------------------------------------------------------------------ many mappings, deletion */

/* MDB0033 */
static void long_chain(void)
{
    enum { length = 60 };
    L4_Word_t p = area(33), previous = p;
    REQUIRE(get_memory(p, 12, 33));
    for (L4_Word_t i = 1; i <= length; ++i) {
        L4_Word_t next = p + 4 * MIB + PAGE(i);
        REQUIRE(map(previous, next, 12, L4_FullyAccessible));
        previous = next;
    }
    REQUIRE(reads("the 60th mapping of the chain", previous, pattern(33, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    for (L4_Word_t i = 1; i <= length; ++i) {
        char what[48];
        snprintf(what, sizeof what, "mapping %lu of the chain after Unmap of P", i);
        REQUIRE(read_faults(what, p + 4 * MIB + PAGE(i)));
    }
    REQUIRE(reads("P", p, pattern(33, 0)));
}

/* MDB0034 */
static void fan_out(void)
{
    L4_Word_t p = area(34);
    REQUIRE(get_memory(p, 12, 34));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    for (L4_Word_t i = 0; i < 9; ++i)
        REQUIRE(map(p, p + 4 * MIB + PAGE(i), 12, L4_FullyAccessible));
    L4_Word_t x = p + 8 * MIB;
    REQUIRE(agent_receive(agent, p, x, 12, L4_FullyAccessible, 0)); /* the tenth, in another space */
    REQUIRE(reads("the ninth derived mapping", p + 4 * MIB + PAGE(8), pattern(34, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    for (L4_Word_t i = 0; i < 9; ++i)
        REQUIRE(read_faults("a derived mapping after Unmap of P", p + 4 * MIB + PAGE(i)));
    REQUIRE(reads("P", p, pattern(34, 0)));
    REQUIRE(agent_read_faults("the agent's derived mapping after Unmap of P", agent, x));
}

/* MDB0035 */
static void deletion_revokes_derived(void)
{
    L4_Word_t p = area(35), x = p + 1 * MIB, w1 = p + 4 * MIB, w2 = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 35));
    L4_ThreadId_t doomed = start_agent(0);
    REQUIRE(!L4_IsNilThread(doomed));
    L4_ThreadId_t survivor = start_agent(1);
    REQUIRE(!L4_IsNilThread(survivor));
    REQUIRE(agent_receive(doomed, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_receive(survivor, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_give(doomed, x, w1, 12, L4_FullyAccessible, 0));
    REQUIRE(map(w1, w2, 12, L4_FullyAccessible));
    REQUIRE(reads("W2 before the deletion", w2, pattern(35, 0)));
    kill_thread(doomed); /* its last thread: the space goes */
    REQUIRE(read_faults("W1 (mapped from the deleted space)", w1));
    REQUIRE(read_faults("W2 (derived from W1)", w2));
    REQUIRE(reads("P", p, pattern(35, 0)));
    REQUIRE(agent_reads("the other agent's mapping of P", survivor, x, pattern(35, 0)));
}

/* ------------------------------------------------------------------ the kernel's pages */

static volatile L4_Word_t utcb_child_words[4];

static void utcb_flusher(void)
{
    L4_Fpage_t areas[3] = {
        with_rights(L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_FullyAccessible),
        with_rights(L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FullyAccessible),
        with_rights(L4_FpageLog2(UTCB_AREA, 12), L4_FullyAccessible),
    };
    L4_FlushFpages(3, areas);
    utcb_child_words[0] = L4_MyGlobalId().raw;                          /* from the UTCB */
    utcb_child_words[1] = *(volatile L4_Word_t *)KIP_AREA & 0xffffffffUL; /* the KIP's magic */
    utcb_child_words[2] = areas[0].raw;
    utcb_child_words[3] = areas[1].raw;
    L4_Word_t words[6] = {1, 2, 3, 4, 5, 6}; /* MR4..MR6 live in the UTCB */
    load_words(LABEL_REPORT, 6, words);
    send_ms(main_tid, 2000);
    park();
}

/* MDB0036 */
static void kernel_areas_unmapped(void)
{
    L4_Fpage_t areas[2] = {with_rights(L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_FullyAccessible),
                           with_rights(L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FullyAccessible)};
    L4_UnmapFpages(2, areas);
    CHECK(L4_MyGlobalId().raw == main_tid.raw, "after Unmap of the UTCB area the UTCB says %#lx",
          L4_MyGlobalId().raw);
    CHECK((*(volatile L4_Word_t *)KIP_AREA & 0xffffffffUL) == 0x4be6344cUL, "after Unmap of the KIP area it reads %#lx",
          *(volatile L4_Word_t *)KIP_AREA);
    REQUIRE(reads("the KIP from another thread", KIP_AREA, *(volatile L4_Word_t *)KIP_AREA));
    /* The same with the flush bit, in a space that can afford to lose its UTCB. */
    utcb_child_words[0] = 0;
    L4_ThreadId_t child = spawn_child(utcb_flusher, 0);
    REQUIRE(!L4_IsNilThread(child));
    L4_MsgTag_t tag = agent_wait(child, 3000);
    CHECK(is_label(tag, LABEL_REPORT), "the child did not report after flushing its UTCB and KIP areas (tag %#lx, "
          "label %#lx, MR1 %#lx)", tag.raw, L4_Label(tag), mr(1));
    CHECK(L4_UntypedWords(tag) == 6 && mr(4) == 4 && mr(5) == 5 && mr(6) == 6, "the child's report: %lu words, MR4..6 "
          "%#lx %#lx %#lx", L4_UntypedWords(tag), mr(4), mr(5), mr(6));
    CHECK(utcb_child_words[0] == child.raw, "the child's UTCB after Flush says %#lx, expected %#lx",
          utcb_child_words[0], child.raw);
    CHECK(utcb_child_words[1] == 0x4be6344cUL, "the child's KIP after Flush reads %#lx", utcb_child_words[1]);
    CHECK((utcb_child_words[2] & ~0xfUL) == (areas[0].raw & ~0xfUL) &&
              (utcb_child_words[3] & ~0xfUL) == (areas[1].raw & ~0xfUL),
          "Flush returned %#lx %#lx for the areas", utcb_child_words[2], utcb_child_words[3]);
}

/* MDB0037 */
static void map_into_utcb_area(void)
{
    L4_Word_t p = area(37), x = p + 4 * MIB;
    REQUIRE(get_memory(p, 12, 37));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Fpage_t f = with_rights(L4_FpageLog2(p, 12), L4_FullyAccessible);
    L4_MsgAppendMapItem(&msg, L4_MapItem(f, x));
    L4_MsgAppendMapItem(&msg, L4_MapItem(f, UTCB_AREA));          /* the agent's own UTCB page */
    L4_MsgAppendMapItem(&msg, L4_MapItem(f, UTCB_AREA + PAGE(2))); /* a UTCB page not in use */
    L4_MsgLoad(&msg);
    L4_Word_t result;
    REQUIRE(agent_go(agent, OP_NONE, L4_UntypedWordsAcceptor, &result) == AGENT_OK);
    REQUIRE(agent_reads("X (the item outside the UTCB area)", agent, x, pattern(37, 0)));
    REQUIRE(agent_reads("the agent's UTCB: its own address", agent, UTCB_AREA, UTCB_AREA));
    REQUIRE(agent_reads("the agent's UTCB: its global id", agent, UTCB_AREA + TERN_UTCB_MY_GLOBAL_ID, agent.raw));
    REQUIRE(agent_read_faults("the UTCB page not in use", agent, UTCB_AREA + PAGE(2)));
}

/* MDB0038 */
static void complete_space_query(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(38, &p, &w1, &w2));
    REQUIRE(writes("W2", w2 + 8, 0x3838));
    L4_Fpage_t back = L4_UnmapFpage(L4_CompleteAddressSpace);
    CHECK((back.raw & ~0xfUL) == L4_CompleteAddressSpace.raw, "Unmap returned %#lx for the complete address space",
          back.raw);
    CHECK((L4_Rights(back) & L4_ReadWriteOnly) == L4_ReadWriteOnly, "status of the complete address space: %s, "
          "expected at least rw", status_name(L4_Rights(back)));
    L4_Word_t s = status_of(p, 12);
    CHECK(s == 0, "P's status after the complete query reset it: %s", status_name(s));
    REQUIRE(reads("P after the complete query", p + 8, 0x3838));
    REQUIRE(writes("W1 after the complete query", w1 + 16, 0x3839));
    REQUIRE(writes("W2 after the complete query", w2 + 24, 0x383a));
    REQUIRE(executes("W1 after the complete query", w1));
    /* Flush of the complete address space with no rights, in an agent: its pages stay. */
    L4_Word_t x = p + 12 * MIB;
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, w2, x, 12, L4_FullyAccessible, 0));
    /* The read runs code the agent may not have run yet, and an Unmap query (no rights:
     * it changes nothing) the Unmap path's code and data: their pages are in before the count. */
    REQUIRE(agent_reads("X before the agent's Flush", agent, x + 8, 0x3838));
    L4_Word_t query = 0;
    REQUIRE(agent_unmap(agent, L4_FpageLog2(x, 12), 0, &query));
    unsigned long faults_before = child_faults;
    L4_Word_t result = 0;
    REQUIRE(agent_unmap(agent, L4_CompleteAddressSpace, 1, &result));
    CHECK((result & ~0xfUL) == L4_CompleteAddressSpace.raw, "the agent's Flush returned %#lx", result);
    REQUIRE(agent_reads("X after the agent's Flush of everything with no rights", agent, x + 8, 0x3838));
    CHECK(child_faults == faults_before, "the agent faulted %lu times on its own pages after Flush with no rights "
          "(last at %#lx, ip %#lx)", child_faults - faults_before, fault_log[fault_log_count - 1].address,
          fault_log[fault_log_count - 1].ip);
    REQUIRE(reads("W2 after the agent's query", w2 + 24, 0x383a));
}

/* ------------------------------------------------------------------ more corners */

/* MDB0039 */
static void grant_of_large(void)
{
    L4_Word_t a = area(39), b = a + 4 * MIB, g = a + 8 * MIB;
    REQUIRE(get_memory(a, 21, 39));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    REQUIRE(grant(b, g, 21, L4_FullyAccessible));
    REQUIRE(read_faults("B page 0 after granting all of B", b));
    REQUIRE(read_faults("B page 511 after granting all of B", b + PAGE(511)));
    status_of(g, 21);
    REQUIRE(reads("G page 5", g + PAGE(5), pattern(39, 5)));
    L4_Word_t s = status_of(g + PAGE(200), 12);
    CHECK(s == L4_Readable, "status of G's untouched page 200 after a read of page 5: %s, expected r (granted as one "
          "2 MiB page)", status_name(s));
    unmap_fpage(a, 21, L4_FullyAccessible, 0);
    REQUIRE(read_faults("G page 5 after Unmap of A", g + PAGE(5)));
    REQUIRE(reads("A page 5 after Unmap of A", a + PAGE(5), pattern(39, 5)));
}

/* MDB0040 */
static void unmap_several_fpages(void)
{
    L4_Word_t p = area(40), w = p + 4 * MIB;
    REQUIRE(get_memory(p, 12, 40) && get_memory(p + PAGE(1), 12, 140) && get_memory(p + PAGE(2), 12, 240));
    for (L4_Word_t i = 0; i < 3; ++i)
        REQUIRE(map(p + PAGE(i), w + PAGE(i), 12, L4_FullyAccessible));
    status_of(p, 14);
    REQUIRE(writes("W page 1", w + PAGE(1) + 8, 0x4040));
    REQUIRE(reads("W page 2", w + PAGE(2), pattern(240, 0)));
    L4_Fpage_t f[3] = {with_rights(L4_FpageLog2(p, 12), 0),
                       with_rights(L4_FpageLog2(p + PAGE(1), 12), L4_FullyAccessible),
                       with_rights(L4_FpageLog2(p + PAGE(2), 12), L4_Writable)};
    L4_UnmapFpages(3, f);
    CHECK(L4_Rights(f[0]) == 0 && L4_Rights(f[1]) == L4_ReadWriteOnly && L4_Rights(f[2]) == L4_Readable,
          "one Unmap of three fpages reported %s, %s, %s; expected none, rw, r", status_name(L4_Rights(f[0])),
          status_name(L4_Rights(f[1])), status_name(L4_Rights(f[2])));
    REQUIRE(writes("W page 0 (its fpage had no rights)", w + 8, 0x4041));
    REQUIRE(read_faults("W page 1 (its fpage had rwx)", w + PAGE(1)));
    REQUIRE(reads("W page 2 (its fpage had w)", w + PAGE(2), pattern(240, 0)));
    REQUIRE(write_faults("W page 2 (its fpage had w)", w + PAGE(2) + 8));
}

/* MDB0041 */
static void part_query_of_large(void)
{
    L4_Word_t a = area(41), c = a + 8 * MIB + 1 * MIB;
    REQUIRE(get_memory(a, 21, 41));
    /* C: A's first 1 MiB in 4 KiB mappings, each with its own accessed bit. */
    REQUIRE(send_item(window(c, 20), with_rights(L4_FpageLog2(a, 21), L4_FullyAccessible), 0, 0));
    status_of(a, 21);
    REQUIRE(reads("C page 5", c + PAGE(5), pattern(41, 5)));
    L4_Word_t s100 = status_of(a + PAGE(100), 12);
    L4_Word_t s5 = status_of(a + PAGE(5), 12);
    CHECK(s5 == L4_Readable, "after a read through C's page 5 (a 4 KiB mapping of A's page 5) and an Unmap query of "
          "A's page 100, the query of A's page 5 reported %s, expected r (the query of page 100 reported %s)",
          status_name(s5), status_name(s100));
    CHECK(s100 == 0, "an Unmap query of A's page 100 reported %s when only page 5 was read, through a 4 KiB "
          "mapping; expected none", status_name(s100));
}

/* MDB0042 */
static void large_over_small(void)
{
    L4_Word_t a = area(42), b = a + 4 * MIB, r = a + 8 * MIB, d = a + 12 * MIB;
    REQUIRE(get_memory(a, 21, 42) && get_memory(r, 12, 142));
    REQUIRE(map(r, b + PAGE(5), 12, L4_FullyAccessible) && map(b + PAGE(5), d, 12, L4_FullyAccessible));
    REQUIRE(map(r, b + PAGE(300), 12, L4_FullyAccessible));
    REQUIRE(reads("D before", d, pattern(142, 0)));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    REQUIRE(reads("B page 5 after the 2 MiB map", b + PAGE(5), pattern(42, 5)));
    REQUIRE(reads("B page 300 after the 2 MiB map", b + PAGE(300), pattern(42, 300)));
    REQUIRE(read_faults("D (derived from B's old page 5)", d));
    status_of(b, 21);
    REQUIRE(reads("B page 7", b + PAGE(7), pattern(42, 7)));
    L4_Word_t s = status_of(b + PAGE(400), 12);
    CHECK(s == L4_Readable, "status of B's untouched page 400 after a read of page 7: %s, expected r (one 2 MiB "
          "page)", status_name(s));
    unmap_fpage(r, 12, L4_FullyAccessible, 0);
    REQUIRE(reads("B page 5 after Unmap of R", b + PAGE(5), pattern(42, 5)));
    REQUIRE(reads("R", r, pattern(142, 0)));
}

/* MDB0043 */
static void deletion_of_grantee(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(43, &p, &w1, &w2));
    L4_Word_t x = p + 1 * MIB, w3 = p + 12 * MIB;
    REQUIRE(map(p, w3, 12, L4_FullyAccessible));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, w1, x, 12, L4_FullyAccessible, 1));
    REQUIRE(read_faults("W1 after granting it to the agent", w1));
    REQUIRE(agent_reads("the page granted to the agent", agent, x, pattern(43, 0)));
    REQUIRE(reads("W2 (derived from the granted page)", w2, pattern(43, 0)));
    kill_thread(agent);
    REQUIRE(read_faults("W2 after the grantee's space was deleted", w2));
    REQUIRE(reads("P after the grantee's space was deleted", p, pattern(43, 0)));
    REQUIRE(reads("W3 (P's other child) after the deletion", w3, pattern(43, 0)));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("W3 after Unmap of P", w3));
    REQUIRE(reads("P after Unmap of P", p, pattern(43, 0)));
}

/* MDB0044 */
static void grant_onto_own_child(void)
{
    L4_Word_t p, w1, w2;
    REQUIRE(make_chain(44, &p, &w1, &w2));
    L4_Word_t w3 = p + 12 * MIB;
    REQUIRE(map(w2, w3, 12, L4_FullyAccessible));
    REQUIRE(grant(w1, w2, 12, L4_FullyAccessible)); /* W1 moves onto its own child W2 */
    REQUIRE(read_faults("W1 after granting it", w1));
    REQUIRE(reads("W2's address after W1 was granted there", w2, pattern(44, 0)));
    REQUIRE(read_faults("W3 (derived from the replaced W2)", w3));
    REQUIRE(writes("W2's address", w2 + 8, 0x4444));
    REQUIRE(reads("P after the write", p + 8, 0x4444));
    unmap_fpage(p, 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("the granted page after Unmap of P", w2));
    REQUIRE(reads("P after Unmap of P", p + 8, 0x4444));
}

/* MDB0045 */
static void part_onto_large_ancestor(void)
{
    L4_Word_t a = area(45), b = a + 4 * MIB;
    REQUIRE(get_memory(a, 21, 45));
    REQUIRE(map(a, b, 21, L4_FullyAccessible));
    /* B's page 5 onto A's page 9: the receiver has A's 2 MiB page there, B's ancestor. */
    REQUIRE(map(b + PAGE(5), a + PAGE(9), 12, L4_FullyAccessible));
    REQUIRE(reads("A page 9", a + PAGE(9), pattern(45, 9)));
    REQUIRE(reads("A page 5", a + PAGE(5), pattern(45, 5)));
    REQUIRE(reads("B page 9", b + PAGE(9), pattern(45, 9)));
    REQUIRE(reads("B page 5", b + PAGE(5), pattern(45, 5)));
    unmap_fpage(a, 21, L4_FullyAccessible, 0);
    REQUIRE(read_faults("B page 5 after Unmap of A", b + PAGE(5)));
    REQUIRE(read_faults("B page 9 after Unmap of A", b + PAGE(9)));
    REQUIRE(reads("A page 9 after Unmap of A", a + PAGE(9), pattern(45, 9)));
}

/* MDB0046 */
static void pieces_of_second_half(void)
{
    L4_Word_t a = area(46), c = a + 8 * MIB + 1 * MIB;
    REQUIRE(get_memory(a, 21, 46));
    /* Send base 1 MiB: the second half of A, pages 256..511, in 4 KiB pages at C. */
    REQUIRE(send_item(window(c, 20), with_rights(L4_FpageLog2(a, 21), L4_FullyAccessible), 1 * MIB, 0));
    REQUIRE(reads("C page 5", c + PAGE(5), pattern(46, 261)));
    unmap_fpage(a + PAGE(261), 12, L4_FullyAccessible, 0);
    REQUIRE(read_faults("C page 5 after Unmap of A's page 261", c + PAGE(5)));
    REQUIRE(reads("C page 4 after Unmap of A's page 261", c + PAGE(4), pattern(46, 260)));
    REQUIRE(reads("C page 6 after Unmap of A's page 261", c + PAGE(6), pattern(46, 262)));
    unmap_fpage(a + PAGE(5), 12, L4_FullyAccessible, 0);
    REQUIRE(reads("C page 6 after Unmap of A's page 5", c + PAGE(6), pattern(46, 262)));
    unmap_fpage(a + 1 * MIB, 20, L4_FullyAccessible, 0);
    REQUIRE(read_faults("C page 255 after Unmap of A's second half", c + PAGE(255)));
    REQUIRE(reads("A page 511", a + PAGE(511), pattern(46, 511)));
}

/* MDB0047 */
static void large_through_deleted_space(void)
{
    L4_Word_t a = area(47), x = a + 2 * MIB, w = a + 4 * MIB;
    REQUIRE(get_memory(a, 21, 47));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, a, x, 21, L4_FullyAccessible, 0));
    REQUIRE(agent_give(agent, x, w, 21, L4_FullyAccessible, 0));
    REQUIRE(reads("W page 300 (from the agent's 2 MiB mapping)", w + PAGE(300), pattern(47, 300)));
    status_of(w, 21);
    REQUIRE(reads("W page 3", w + PAGE(3), pattern(47, 3)));
    L4_Word_t s = status_of(w + PAGE(400), 12);
    CHECK(s == L4_Readable, "status of W's untouched page 400 after a read of page 3: %s, expected r (one 2 MiB page "
          "through the other space)", status_name(s));
    kill_thread(agent);
    REQUIRE(read_faults("W page 0 after the agent's space was deleted", w));
    REQUIRE(read_faults("W page 511 after the agent's space was deleted", w + PAGE(511)));
    REQUIRE(reads("A after the deletion", a + PAGE(300), pattern(47, 300)));
}

/* MDB0048 */
static void execution_reports_read(void)
{
    L4_Word_t p = area(48);
    REQUIRE(get_memory(p, 12, 48));
    status_of(p, 12);
    REQUIRE(executes("P", p));
    L4_Word_t s = status_of(p, 12);
    CHECK(s == L4_Readable, "status after only executing code in the page: %s, expected r (x is never reported)",
          status_name(s));
}

/* MDB0049 */
static void complete_flush_in_agent(void)
{
    L4_Word_t p = area(49), x = p + 4 * MIB;
    REQUIRE(get_memory(p, 12, 49));
    L4_ThreadId_t agent = start_agent(0);
    REQUIRE(!L4_IsNilThread(agent));
    REQUIRE(agent_receive(agent, p, x, 12, L4_FullyAccessible, 0));
    REQUIRE(agent_reads("X", agent, x, pattern(49, 0)));
    unsigned long faults_before = child_faults;
    L4_Word_t result = 0;
    REQUIRE(agent_unmap(agent, with_rights(L4_CompleteAddressSpace, L4_FullyAccessible), 1, &result));
    CHECK(child_faults > faults_before, "the agent ran on after flushing its whole address space without faulting "
          "on its own code and stack");
    CHECK((result & ~0xfUL) == L4_CompleteAddressSpace.raw, "the agent's Flush returned %#lx", result);
    REQUIRE(reads("P after the agent flushed everything", p, pattern(49, 0)));
    REQUIRE(agent_read_faults("X after the agent flushed everything", agent, x));
}

/* MDB0050: the same page mapped again from the same mapping with more rights gains them in
 * place; what was derived from it stays (Pistachio's upgrade). */
static void remap_upgrades_in_place(void)
{
    L4_Word_t p = area(50), w1 = p + 4 * MIB, w2 = p + 8 * MIB;
    REQUIRE(get_memory(p, 12, 50));
    REQUIRE(map(p, w1, 12, L4_Readable) && map(w1, w2, 12, L4_Readable));
    REQUIRE(write_faults("W1 read-only", w1 + 8));
    REQUIRE(map(p, w1, 12, L4_ReadWriteOnly));
    REQUIRE(writes("W1 after the upgrade", w1 + 8, 0x5050));
    REQUIRE(reads("W2 derived from W1 before the upgrade", w2 + 8, 0x5050));
    REQUIRE(write_faults("W2, still read-only", w2 + 8));
}

static const struct systest mapdb_tests[] = {
    {"MDB0001", "a chain P -> W1 -> W2 in one space shows P's memory all along", chain_in_one_space},
    {"MDB0002", "Unmap of P without flush removes W1 and W2 and keeps P", unmap_keeps_own},
    {"MDB0003", "Flush of P removes P, W1 and W2", flush_removes_own},
    {"MDB0004", "Unmap of a middle mapping removes what derives from it and keeps its ancestors", unmap_middle},
    {"MDB0005", "Unmap of P removes a chain through another space (P -> agent -> root task)", chain_across_spaces},
    {"MDB0006", "Unmap of P reaches through three spaces and a grant on the way", chain_through_three_spaces},
    {"MDB0007", "Unmap in another space removes what derives from its page there, keeping P",
     unmap_middle_in_other_space},
    {"MDB0008", "Unmap of w only: derived mappings (also in another space) read but fault on write", unmap_write_right},
    {"MDB0009", "Flush of w only takes write access from P itself too", flush_write_right},
    {"MDB0010", "Unmap of x only: derived mappings read and write but fault on execution", unmap_execute_right},
    {"MDB0011", "rights only shrink down a chain: a map item cannot add what the sender lacks", rights_only_shrink},
    {"MDB0012", "a grant in one space moves the page; Unmap of the grantor's parent still revokes it",
     grant_in_one_space},
    {"MDB0013", "a grant from another space moves its page; Unmap of the grantor's parent revokes it",
     grant_across_spaces},
    {"MDB0014", "a read-only grant: the grantee and what derived from the page lose write access", grant_fewer_rights},
    {"MDB0015", "a map over an existing mapping replaces it and revokes what derived from the old one", map_replaces},
    {"MDB0016", "overlapping maps (4 KiB into a 16 KiB mapping and the reverse) replace page by page",
     overlapping_maps},
    {"MDB0017", "mapping a page onto itself changes nothing", map_onto_itself},
    {"MDB0018", "mapping a page onto its ancestor's address (same space or another) changes nothing",
     map_onto_ancestor},
    {"MDB0019", "a 16 KiB map item with a page the sender lacks leaves that page unmapped", sender_lacks_pages},
    {"MDB0020", "after a read the Unmap query reports r (and none before)", status_after_read},
    {"MDB0021", "after a write the Unmap query reports r and w", status_after_write},
    {"MDB0022", "a second Unmap query reports nothing: the first reset the status", second_query_empty},
    {"MDB0023", "the status includes accesses through derived mappings, also in other spaces", status_from_derived},
    {"MDB0024", "Unmap and Flush with no rights take nothing away", query_changes_nothing},
    {"MDB0025", "one Unmap revokes 10 derived mappings and reports the status they had", unmap_reports_revoked},
    {"MDB0026", "a 16-page fpage maps in one item; Unmap of one source page revokes one page",
     sixteen_pages_in_one_item},
    {"MDB0027", "a 2 MiB fpage from sigma0 maps as one 2 MiB page (its parts share the accessed bit)",
     large_page_shares_accessed_bit},
    {"MDB0028", "a 2 MiB fpage into a 1 MiB window arrives in 4 KiB pages (own accessed bits)",
     large_page_to_small_window},
    {"MDB0029", "Flush of one 4 KiB page of a derived 2 MiB mapping removes only that page",
     flush_page_of_derived_large},
    {"MDB0030", "Unmap of one 4 KiB page of a 2 MiB source removes only that page from all derived ones",
     unmap_page_of_source_large},
    {"MDB0031", "a grant of 4 KiB of a 2 MiB mapping moves only that page, still revocable from above",
     partial_grant_of_large},
    {"MDB0032", "a 4 KiB map into a 2 MiB mapping replaces only that page", map_small_into_large},
    {"MDB0033", "one Unmap revokes a chain of 60 mappings", long_chain},
    {"MDB0034", "one Unmap revokes 10 mappings derived from one page (one in another space)", fan_out},
    {"MDB0035", "deleting a space revokes what derived from its pages, nothing else", deletion_revokes_derived},
    {"MDB0036", "Unmap and Flush of the UTCB and KIP areas leave them working", kernel_areas_unmapped},
    {"MDB0037", "map items aimed into the receiver's UTCB area map nothing", map_into_utcb_area},
    {"MDB0038", "an Unmap query (and a Flush with no rights) of the complete address space changes nothing",
     complete_space_query},
    {"MDB0039", "a grant of a whole 2 MiB mapping moves it as one 2 MiB page, still revocable from above",
     grant_of_large},
    {"MDB0040", "one Unmap of three fpages acts on and reports each with its own rights", unmap_several_fpages},
    {"MDB0041", "an Unmap query of 4 KiB of a 2 MiB page reports (and resets) only that part's 4 KiB mappings",
     part_query_of_large},
    {"MDB0042", "a 2 MiB map over 4 KiB mappings replaces them (and what derived from them) by one 2 MiB page",
     large_over_small},
    {"MDB0043", "deleting a space that was granted a page revokes what derived from the page elsewhere",
     deletion_of_grantee},
    {"MDB0044", "a grant onto a mapping derived from the granted page replaces it", grant_onto_own_child},
    {"MDB0045", "mapping part of a derived 2 MiB page onto another part of its 2 MiB ancestor changes nothing",
     part_onto_large_ancestor},
    {"MDB0046", "4 KiB pages from the second half of a 2 MiB page go with their own source pages",
     pieces_of_second_half},
    {"MDB0047", "a 2 MiB page mapped on through another space stays 2 MiB and goes with that space",
     large_through_deleted_space},
    {"MDB0048", "executing in a page reports r, never x", execution_reports_read},
    {"MDB0050", "mapping the same page again with more rights upgrades it in place, keeping what derives from it",
     remap_upgrades_in_place},
    {"MDB0049", "Flush of a whole address space removes its mappings, not their ancestors nor its UTCB",
     complete_flush_in_agent},
};
SYSTEST_GROUP(mapdb) = {"mapdb", mapdb_tests, SYSTEST_COUNT(mapdb_tests)};
