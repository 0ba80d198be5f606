/* SPDX-License-Identifier: MIT */
/* IOP: I/O ports as X.2 I/O flexpages, through the mapping database, and device memory.
 *
 * Port accesses are made by agents: threads (in new spaces, or one in the root task's
 * space) whose exception handler is the main thread. An agent calls the main thread in a
 * loop; each call reports the result of its last command, and the reply (which may carry
 * map and grant items) starts the next one. A port access the agent's space does not own
 * raises #GP: the main thread gets the exception message, notes its vector and error
 * code, and resumes the agent after the access with a marker as the result.
 *
 * The ports used are the CMOS/RTC's index and data ports 0x70/0x71 (register 0x0d, "status
 * D", reads 0x80 on QEMU and Bochs: valid RAM and time), and the unassigned or harmless
 * ports 0x72..0x77 next to them, whose value does not matter. Device memory is the BIOS
 * ROM's last page (0xff000): its reset vector at 0xffff0 is a far jump (0xea) on SeaBIOS
 * and on Bochs' BIOS. The root task gives its ports back (Flush) at the end of every test,
 * so other tests run in a space without ports. */
#include "systest.h"

#include <l4/arch.h>

#define FAULTED 0xfa017ed0UL /* an agent's result when its access raised an exception */
#define CMOS_STATUS_D 0x0d
#define STATUS_D_VALUE 0x80
#define ROM_PAGE 0xff000UL
#define RESET_VECTOR 0xffff0UL
#define DEVICE_WINDOW WINDOW(140) /* where the root task receives device memory */
#define MAX_AGENTS 4

/* cmos_read(reg): out reg to 0x70, in from 0x71; in_port(port): one byte from port. The
 * exception handler resumes a faulting access at the *_after label with rax = FAULTED. */
L4_Word_t iop_cmos_read(L4_Word_t reg);
L4_Word_t iop_in_port(L4_Word_t port);
extern char iop_cmos_after[], iop_in_after[];
__asm__(".text\n"
        ".globl iop_cmos_read\n.type iop_cmos_read, @function\niop_cmos_read:\n"
        "    movl %edi, %eax\n"
        "    outb %al, $0x70\n"
        "    inb $0x71, %al\n"
        "    movzbl %al, %eax\n"
        ".globl iop_cmos_after\niop_cmos_after: ret\n"
        ".globl iop_in_port\n.type iop_in_port, @function\niop_in_port:\n"
        "    movl %edi, %edx\n"
        "    xorl %eax, %eax\n"
        "    inb %dx, %al\n"
        ".globl iop_in_after\niop_in_after: ret\n");

enum op { OP_NONE, OP_CMOS, OP_IN, OP_READ, OP_SEND, OP_RECEIVE, OP_UNMAP, OP_FLUSH, OP_SIGMA0 };

static volatile struct command {
    L4_Word_t op, arg, fpage, grant;
    L4_Word_t peer;   /* OP_SEND, OP_RECEIVE: the other agent */
    L4_Word_t accept; /* the receive window for items (complete address space if 0) */
} commands[MAX_AGENTS];
static volatile unsigned starting_agent;

struct agent {
    L4_ThreadId_t tid;
    L4_Word_t vector, error; /* of its last exception */
    int ring0;               /* a thread of the root task's space when the suite runs in ring 0 */
};
static struct agent agents[MAX_AGENTS];

static L4_Fpage_t io_fpage(L4_Word_t port, int log2) { return L4_IoFpageLog2(port, log2); }

static void agent_main(void)
{
    unsigned me = starting_agent;
    L4_Set_ExceptionHandler(main_tid);
    L4_Word_t result = 0;
    for (;;) {
        load_msg(LABEL_REPORT, 1, result, 0, 0);
        L4_Fpage_t window = {.raw = commands[me].accept};
        L4_Accept(L4_MapGrantItems(window.raw != 0 ? window : L4_CompleteAddressSpace));
        L4_MsgTag_t tag = L4_Call_Timeouts(main_tid, ms_time(2000), ms_time(20000));
        if (L4_IpcFailed(tag))
            park();
        L4_Fpage_t f = {.raw = commands[me].fpage};
        L4_ThreadId_t peer = {.raw = commands[me].peer};
        switch (commands[me].op) {
        case OP_CMOS: result = iop_cmos_read(commands[me].arg); break;
        case OP_IN: result = iop_in_port(commands[me].arg); break;
        case OP_READ: result = *(volatile unsigned char *)commands[me].arg; break;
        case OP_SEND: {
            L4_Msg_t msg;
            L4_MsgClear(&msg);
            if (commands[me].grant)
                L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, 0));
            else
                L4_MsgAppendMapItem(&msg, L4_MapItem(f, 0));
            L4_Set_MsgLabel(&msg, LABEL_PING);
            L4_MsgLoad(&msg);
            result = L4_IpcSucceeded(L4_Send_Timeout(peer, ms_time(3000)));
            break;
        }
        case OP_RECEIVE:
            L4_Accept(L4_MapGrantItems(window.raw != 0 ? window : L4_CompleteAddressSpace));
            result = L4_IpcSucceeded(L4_Receive_Timeout(peer, ms_time(3000)));
            break;
        case OP_UNMAP: result = L4_UnmapFpage(f).raw; break;
        case OP_FLUSH: result = L4_Flush(f).raw; break;
        case OP_SIGMA0: {
            /* Asks sigma0 directly (libl4's request, with a timeout of our own). */
            L4_Msg_t msg;
            L4_MsgClear(&msg);
            L4_MsgAppendWord(&msg, f.raw);
            L4_MsgAppendWord(&msg, 0);
            L4_Set_MsgLabel(&msg, SIGMA0_LABEL);
            L4_MsgLoad(&msg);
            L4_Accept(L4_MapGrantItems(window.raw != 0 ? window : L4_CompleteAddressSpace));
            L4_MsgTag_t answer = L4_Call_Timeouts(sigma0_tid, ms_time(2000), ms_time(2000));
            L4_Word_t given = 0;
            L4_StoreMR(2, &given);
            result = L4_IpcFailed(answer) ? ~0UL : given;
            break;
        }
        default: result = 0; break;
        }
    }
}

static void agent_thread(L4_Word_t unused)
{
    (void)unused;
    agent_main();
}

static int agent_index(L4_ThreadId_t tid)
{
    for (int i = 0; i < MAX_AGENTS; ++i)
        if (tid.raw != 0 && (agents[i].tid.raw == tid.raw || seen_as(agents[i].tid).raw == tid.raw))
            return i;
    return -1;
}

/* Waits until each agent in want (a bit per index) has reported, serving their page faults
 * on the root task's image and resuming their port faults after the access. results[i]
 * gets agent i's report. 0 (failure recorded) on a timeout or a stray message. */
static int wait_reports(unsigned want, L4_Word_t *results)
{
    L4_Word_t deadline = now_us() + 5000 * 1000;
    for (unsigned rounds = 0; want != 0 && rounds < 1000; ++rounds) {
        L4_Word_t now = now_us();
        if (now >= deadline)
            break;
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = recv_ms(L4_anythread, (deadline - now) / 1000 + 1, &from);
        int i = agent_index(from);
        if (L4_IpcFailed(tag) || i < 0) {
            fail("waiting for agent reports (left %#x): tag %#lx from %#lx, ErrorCode %lu", want, tag.raw, from.raw,
                 L4_ErrorCode());
            return 0;
        }
        if (is_page_fault(tag) && mr(1) >= image_low && mr(1) < image_high) {
            if (!answer_page_fault(from))
                return 0;
        } else if (is_page_fault(tag) && (want & (1u << i)) != 0) {
            /* A fault elsewhere (memory taken away): the agent stays blocked in it. */
            agents[i].vector = 14;
            agents[i].error = mr(1);
            results[i] = FAULTED;
            want &= ~(1u << i);
        } else if (is_exception(tag)) {
            agents[i].vector = mr(X_VECTOR);
            agents[i].error = mr(X_ERROR);
            L4_Word_t rip = mr(X_RIP);
            L4_Word_t after = rip < (L4_Word_t)iop_in_port ? (L4_Word_t)iop_cmos_after : (L4_Word_t)iop_in_after;
            if (rip < (L4_Word_t)iop_cmos_read || rip >= (L4_Word_t)iop_in_after) {
                fail("agent %d: exception %lu at %#lx, not at a port access", i, mr(X_VECTOR), rip);
                return 0;
            }
            if (L4_IpcFailed(reply_exception(from, after, FAULTED))) {
                fail("could not resume agent %d after its exception", i);
                return 0;
            }
        } else if (is_label(tag, LABEL_REPORT) && (want & (1u << i)) != 0) {
            results[i] = mr(1);
            want &= ~(1u << i);
        } else {
            fail("unexpected message from agent %d: tag %#lx, MR1 %#lx", i, tag.raw, mr(1));
            return 0;
        }
    }
    if (want != 0)
        fail("agents %#x did not report in time", want);
    return want == 0;
}

/* Starts agent i: in a new space on child stack i, or (in_root) as a thread of the root
 * task's space. 0 (failure recorded) when it does not report. */
static int start_agent(int i, int in_root)
{
    commands[i] = (struct command){0};
    agents[i] = (struct agent){0};
    starting_agent = (unsigned)i;
    /* Agents in spaces of their own run in ring 3 even when the suite runs in ring 0: the I/O
     * bitmap is what ring 3 has; ring 0 is allowed every port (docs/kernel.md). */
    L4_ThreadId_t tid = in_root ? spawn(agent_thread, 0, -1, main_tid) : spawn_child_in(agent_main, (unsigned)i, 0);
    if (L4_IsNilThread(tid))
        return 0;
    agents[i].tid = tid;
    agents[i].ring0 = in_root && suite_in_ring0();
    L4_Word_t results[MAX_AGENTS];
    return wait_reports(1u << i, results);
}

/* Replies to agent i (waiting for its next command) with op; the reply carries item when
 * it is not nil (a map item, or a grant item with grant). */
static int command(int i, L4_Word_t op, L4_Word_t arg, L4_Fpage_t item, int grant)
{
    commands[i].op = op;
    commands[i].arg = arg;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    if (op == OP_NONE && !L4_IsNilFpage(item)) {
        if (grant)
            L4_MsgAppendGrantItem(&msg, L4_GrantItem(item, 0));
        else
            L4_MsgAppendMapItem(&msg, L4_MapItem(item, 0));
    }
    L4_MsgLoad(&msg);
    if (L4_IpcFailed(send_ms(agents[i].tid, 1000))) {
        fail("agent %d did not take its command (ErrorCode %lu)", i, L4_ErrorCode());
        return 0;
    }
    return 1;
}

/* Runs one command on agent i and returns its result (FAULTED after a port fault), or
 * ~0 with the failure recorded. */
static L4_Word_t run(int i, L4_Word_t op, L4_Word_t arg)
{
    L4_Word_t results[MAX_AGENTS];
    agents[i].vector = agents[i].error = ~0UL;
    if (!command(i, op, arg, L4_Nilpage, 0) || !wait_reports(1u << i, results))
        return ~0UL;
    return results[i];
}

/* Agent i accepts items into window (the complete address space if 0) from now on: it
 * sets its acceptor when it calls for its next command. */
static int set_accept(int i, L4_Word_t window)
{
    commands[i].accept = window;
    return run(i, OP_NONE, 0) != ~0UL;
}

/* Agent i gets item (mapped, or granted) from the main thread. */
static int give(int i, L4_Fpage_t item, int grant)
{
    L4_Word_t results[MAX_AGENTS];
    return command(i, OP_NONE, 0, item, grant) && wait_reports(1u << i, results);
}

/* Agent from sends item to agent to (map, or grant). */
static int pass_on(int from, int to, L4_Fpage_t item, int grant)
{
    L4_Word_t results[MAX_AGENTS] = {0};
    commands[to].peer = agents[from].tid.raw;
    commands[from].peer = agents[to].tid.raw;
    commands[from].fpage = item.raw;
    commands[from].grant = (L4_Word_t)grant;
    if (!command(to, OP_RECEIVE, 0, L4_Nilpage, 0) || !command(from, OP_SEND, 0, L4_Nilpage, 0) ||
        !wait_reports((1u << from) | (1u << to), results))
        return 0;
    if (results[from] != 1 || results[to] != 1) {
        fail("passing %#lx from agent %d to %d: send %lu, receive %lu", item.raw, from, to, results[from],
             results[to]);
        return 0;
    }
    return 1;
}

/* The CMOS read of agent i must work (expect_ok) or fault with #GP (vector 13, error 0). */
static int cmos_check(int i, int expect_ok, const char *when)
{
    L4_Word_t value = run(i, OP_CMOS, CMOS_STATUS_D);
    if (value == ~0UL)
        return 0;
    /* What a kernel-mode task trades (docs/kernel.md): in ring 0 every port is allowed. */
    if (expect_ok || agents[i].ring0) {
        if (value != STATUS_D_VALUE) {
            fail("%s: agent %d read CMOS status D %#lx (vector %lu), expected %#x", when, i, value, agents[i].vector,
                 STATUS_D_VALUE);
            return 0;
        }
        return 1;
    }
    if (value != FAULTED || agents[i].vector != 13 || agents[i].error != 0) {
        fail("%s: agent %d read %#lx (vector %lu, error %#lx), expected a #GP (13, 0)", when, i, value,
             agents[i].vector, agents[i].error);
        return 0;
    }
    return 1;
}

/* A one-port read by agent i must work or fault. */
static int in_check(int i, L4_Word_t port, int expect_ok, const char *when)
{
    L4_Word_t value = run(i, OP_IN, port);
    if (value == ~0UL)
        return 0;
    expect_ok = expect_ok || agents[i].ring0;  /* (in ring 0 every port is allowed) */
    if (expect_ok ? value > 0xff : (value != FAULTED || agents[i].vector != 13)) {
        fail("%s: agent %d read port %#lx: %#lx (vector %lu), expected %s", when, i, port, value, agents[i].vector,
             expect_ok ? "a byte" : "a #GP");
        return 0;
    }
    return 1;
}

/* The root task's own ports from sigma0 (2^log2 from port). */
static int get_ports(L4_Word_t port, int log2)
{
    L4_ThreadId_t dog = start_watchdog(3000);
    L4_Fpage_t got = L4_Sigma0_GetPage(sigma0_tid, io_fpage(port, log2));
    kill_thread(dog);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (!L4_IsIoFpage(got) || L4_IoFpagePort(got) != port || L4_IoFpageSizeLog2(got) != (L4_Word_t)log2) {
        fail("sigma0 gave %#lx for ports %#lx/2^%d (ErrorCode %lu)", got.raw, port, log2, L4_ErrorCode());
        return 0;
    }
    return 1;
}

/* The root task gives back every port it has (and what derives from them goes too). */
static void drop_ports(void) { (void)L4_Flush(io_fpage(0, 16)); }

/* Stops the test when a helper has recorded a failure (forget_agents cleans up). */
#define REQUIRE(x)   \
    do {             \
        if (!(x))    \
            return;  \
    } while (0)

/* ------------------------------------------------------------------ the tests */

static void faults_without_fpage(void)
{
    REQUIRE(start_agent(0, 0));
    REQUIRE(cmos_check(0, 0, "a new space"));
    REQUIRE(in_check(0, 0x80, 0, "a new space, port 0x80"));
    /* It was resumed after the fault: it still runs, and faults again. */
    REQUIRE(cmos_check(0, 0, "a new space, again"));
    REQUIRE(start_agent(1, 1));
    REQUIRE(cmos_check(1, 0, "the root task's space before it asked sigma0"));
}

static void works_after_mapping(void)
{
    REQUIRE(start_agent(1, 1));
    REQUIRE(cmos_check(1, 0, "before"));
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(cmos_check(1, 1, "after the root task got 0x70/0x71 from sigma0"));
    /* Another space still has no ports (the TSS bitmap follows the running space). */
    REQUIRE(start_agent(0, 0));
    REQUIRE(cmos_check(0, 0, "a new space next to the root task"));
    REQUIRE(cmos_check(1, 1, "the root task's space again"));
    drop_ports();
    REQUIRE(cmos_check(1, 0, "after the root task flushed its ports"));
}

static void child_gets_ports(void)
{
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(start_agent(0, 0));
    REQUIRE(cmos_check(0, 0, "before the map item"));
    REQUIRE(give(0, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(0, 1, "after the map item"));
    REQUIRE(start_agent(1, 0));
    REQUIRE(cmos_check(1, 0, "a second child that got nothing"));
    REQUIRE(cmos_check(0, 1, "the first child after the second ran"));
    drop_ports();
}

static void unmap_revokes(void)
{
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(start_agent(0, 0));
    REQUIRE(start_agent(1, 1));
    REQUIRE(give(0, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(0, 1, "mapped"));
    L4_Fpage_t back = L4_UnmapFpage(io_fpage(0x70, 1));
    if ((back.raw & ~0xfUL) != (io_fpage(0x70, 1).raw & ~0xfUL))
        fail("Unmap of an I/O fpage returned %#lx", back.raw);
    REQUIRE(cmos_check(0, 0, "after the root task's Unmap"));
    REQUIRE(cmos_check(1, 1, "the root task itself after its Unmap (no flush)"));
    REQUIRE(give(0, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(0, 1, "mapped again"));
    (void)L4_Flush(io_fpage(0x70, 1));
    REQUIRE(cmos_check(0, 0, "after the root task's Flush"));
    REQUIRE(cmos_check(1, 0, "the root task itself after its Flush"));
    drop_ports();
}

static void recursive_revocation(void)
{
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(start_agent(0, 0));
    REQUIRE(start_agent(1, 0));
    REQUIRE(give(0, io_fpage(0x70, 1), 0));
    REQUIRE(pass_on(0, 1, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(1, 1, "B, mapped from A"));
    REQUIRE(cmos_check(0, 1, "A, after mapping on to B"));
    /* A's Unmap takes B's, keeps A's. */
    commands[0].fpage = io_fpage(0x70, 1).raw;
    REQUIRE(run(0, OP_UNMAP, 0) != ~0UL);
    REQUIRE(cmos_check(1, 0, "B after A's Unmap"));
    REQUIRE(cmos_check(0, 1, "A after its own Unmap"));
    REQUIRE(pass_on(0, 1, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(1, 1, "B, mapped again"));
    (void)L4_UnmapFpage(io_fpage(0x70, 1));
    REQUIRE(cmos_check(1, 0, "B after the root task's Unmap"));
    REQUIRE(cmos_check(0, 0, "A after the root task's Unmap"));
    drop_ports();
}

static void grant_moves(void)
{
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(start_agent(0, 0));
    REQUIRE(start_agent(1, 0));
    REQUIRE(give(0, io_fpage(0x70, 1), 0));
    REQUIRE(pass_on(0, 1, io_fpage(0x70, 1), 1));
    REQUIRE(cmos_check(1, 1, "B, granted by A"));
    REQUIRE(cmos_check(0, 0, "A after granting"));
    /* The grant kept its place below the root task's mapping. */
    (void)L4_UnmapFpage(io_fpage(0x70, 1));
    REQUIRE(cmos_check(1, 0, "B after the root task's Unmap"));
    /* The root task grants its own: it loses them. */
    REQUIRE(start_agent(2, 1));
    REQUIRE(cmos_check(2, 1, "the root task before granting"));
    REQUIRE(give(0, io_fpage(0x70, 1), 1));
    REQUIRE(cmos_check(0, 1, "A, granted by the root task"));
    REQUIRE(cmos_check(2, 0, "the root task after granting"));
    /* The root task has no node left to flush: A's ports (now a child of sigma0's root)
     * stay until A flushes them itself; then the root task can ask sigma0 again. */
    drop_ports();
    REQUIRE(cmos_check(0, 1, "A after the root task's (empty) Flush"));
    commands[0].fpage = io_fpage(0x70, 1).raw;
    REQUIRE(run(0, OP_FLUSH, 0) != ~0UL);
    REQUIRE(cmos_check(0, 0, "A after its own Flush"));
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(cmos_check(2, 1, "the root task, mapped again by sigma0"));
    drop_ports();
}

static void deletion_revokes(void)
{
    REQUIRE(get_ports(0x70, 1));
    REQUIRE(start_agent(0, 0));
    REQUIRE(start_agent(1, 0));
    REQUIRE(give(0, io_fpage(0x70, 1), 0));
    REQUIRE(pass_on(0, 1, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(1, 1, "B, mapped from A"));
    kill_thread(agents[0].tid); /* its space goes with its only thread */
    agents[0].tid = L4_nilthread;
    REQUIRE(cmos_check(1, 0, "B after A's space was deleted"));
    /* And a space that was granted ports: its deletion gives nothing back to anyone but
     * takes what derives from them. */
    REQUIRE(start_agent(2, 0));
    REQUIRE(give(1, io_fpage(0x70, 1), 0));
    REQUIRE(pass_on(1, 2, io_fpage(0x70, 1), 0));
    REQUIRE(cmos_check(2, 1, "C, mapped from B"));
    kill_thread(agents[1].tid);
    agents[1].tid = L4_nilthread;
    REQUIRE(cmos_check(2, 0, "C after B's space was deleted"));
    drop_ports();
}

static void partial_unmap(void)
{
    REQUIRE(get_ports(0x70, 3));
    REQUIRE(start_agent(0, 0));
    REQUIRE(give(0, io_fpage(0x70, 3), 0));
    REQUIRE(cmos_check(0, 1, "8 ports mapped"));
    REQUIRE(in_check(0, 0x74, 1, "8 ports mapped, port 0x74"));
    REQUIRE(in_check(0, 0x77, 1, "8 ports mapped, port 0x77"));
    (void)L4_UnmapFpage(io_fpage(0x70, 1));
    REQUIRE(cmos_check(0, 0, "after the Unmap of 0x70/0x71"));
    REQUIRE(in_check(0, 0x70, 0, "port 0x70 after its Unmap"));
    REQUIRE(in_check(0, 0x72, 1, "port 0x72, not unmapped"));
    REQUIRE(in_check(0, 0x77, 1, "port 0x77, not unmapped"));
    (void)L4_UnmapFpage(io_fpage(0x76, 0));
    REQUIRE(in_check(0, 0x76, 0, "port 0x76 after its own Unmap"));
    REQUIRE(in_check(0, 0x77, 1, "port 0x77 next to it"));
    drop_ports();
    REQUIRE(in_check(0, 0x77, 0, "port 0x77 after the root task's Flush"));
}

static void window_selects_ports(void)
{
    REQUIRE(get_ports(0x70, 3));
    REQUIRE(start_agent(0, 0));
    /* An I/O window takes the ports inside it. */
    REQUIRE(set_accept(0, io_fpage(0x74, 2).raw));
    REQUIRE(give(0, io_fpage(0x70, 3), 0));
    REQUIRE(in_check(0, 0x74, 1, "0x74, inside the I/O window"));
    REQUIRE(in_check(0, 0x72, 0, "0x72, outside the I/O window"));
    /* A memory window takes no ports. */
    REQUIRE(set_accept(0, L4_FpageLog2(WINDOW(141), 20).raw));
    REQUIRE(give(0, io_fpage(0x70, 3), 0));
    REQUIRE(in_check(0, 0x72, 0, "0x72, sent to a memory window"));
    /* The complete address space takes them all. */
    REQUIRE(set_accept(0, 0));
    REQUIRE(give(0, io_fpage(0x70, 3), 0));
    REQUIRE(in_check(0, 0x72, 1, "0x72, sent to the complete address space"));
    drop_ports();
}

static void bad_io_fpages(void)
{
    REQUIRE(get_ports(0x70, 3));
    REQUIRE(start_agent(0, 0));
    /* Misaligned, too big, bits above 31: none names a port, nothing is mapped. */
    L4_Fpage_t bad[] = {
        {.raw = (0x71UL << 16) | (1UL << 10) | (2UL << 4)},
        {.raw = (0x70UL << 16) | (17UL << 10) | (2UL << 4)},
        {.raw = (0x70UL << 16) | (63UL << 10) | (2UL << 4)},
        {.raw = (1UL << 40) | (0x70UL << 16) | (1UL << 10) | (2UL << 4)},
        {.raw = (0x72UL << 16) | (2UL << 10) | (2UL << 4) | 0xf},
    };
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        REQUIRE(give(0, bad[k], k % 2));
        REQUIRE(in_check(0, 0x71, 0, "after a bad I/O fpage"));
        REQUIRE(in_check(0, 0x72, 0, "after a bad I/O fpage, 0x72"));
        (void)L4_UnmapFpage(bad[k]);
        (void)L4_Flush(bad[k]);
        commands[0].fpage = bad[k].raw;
        REQUIRE(run(0, OP_UNMAP, 0) != ~0UL);
    }
    /* The root task's own ports survived all of it. */
    REQUIRE(start_agent(1, 1));
    REQUIRE(cmos_check(1, 1, "the root task after bad I/O fpages"));
    /* sigma0 refuses a bad request. */
    L4_ThreadId_t dog = start_watchdog(3000);
    L4_Fpage_t got = L4_Sigma0_GetPage(sigma0_tid, bad[0]);
    kill_thread(dog);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (!L4_IsNilFpage(got))
        fail("sigma0 gave %#lx for the misaligned I/O fpage %#lx", got.raw, bad[0].raw);
    drop_ports();
}

static void unprivileged_gets_nil(void)
{
    REQUIRE(start_agent(0, 0));
    commands[0].fpage = io_fpage(0x70, 1).raw;
    L4_Word_t given = run(0, OP_SIGMA0, 0);
    if (given != L4_Nilpage.raw) {
        fail("sigma0 gave a child %#lx for ports 0x70/0x71", given);
        return;
    }
    REQUIRE(cmos_check(0, 0, "a child that asked sigma0 for ports"));
    /* Device memory: the BIOS ROM page. */
    commands[0].fpage = L4_FpageLog2(ROM_PAGE, 12).raw;
    given = run(0, OP_SIGMA0, 0);
    if (given != L4_Nilpage.raw)
        fail("sigma0 gave a child %#lx for the ROM page", given);
    /* Another thread of the root task is not the root task either. */
    REQUIRE(start_agent(1, 1));
    commands[1].fpage = io_fpage(0x70, 1).raw;
    given = run(1, OP_SIGMA0, 0);
    if (given != L4_Nilpage.raw)
        fail("sigma0 gave another root-task thread %#lx for ports", given);
    REQUIRE(cmos_check(1, 0, "the root task's space after its other thread asked"));
}

static void device_memory(void)
{
    L4_ThreadId_t dog = start_watchdog(3000);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, L4_FpageLog2(ROM_PAGE, 12), L4_FpageLog2(DEVICE_WINDOW, 12));
    kill_thread(dog);
    L4_Accept(L4_UntypedWordsAcceptor);
    CHECK(L4_Address(got) == ROM_PAGE && L4_SizeLog2(got) == 12, "sigma0 gave %#lx for the ROM page", got.raw);
    /* No access yet: an Unmap query reports nothing. */
    L4_Word_t status = L4_Rights(L4_UnmapFpage(L4_FpageLog2(DEVICE_WINDOW, 12)));
    CHECK(status == 0, "access status %#lx before any access", status);
    unsigned char jump = *(volatile unsigned char *)(DEVICE_WINDOW + (RESET_VECTOR - ROM_PAGE));
    CHECK(jump == 0xea, "the reset vector holds %#x, not a far jump (0xea)", jump);
    status = L4_Rights(L4_UnmapFpage(L4_FpageLog2(DEVICE_WINDOW, 12)));
    CHECK(status == L4_Readable, "access status %#lx after a read, expected r", status);
    /* Mapped on to a child, it stays readable there (a derived mapping of device memory). */
    REQUIRE(start_agent(0, 0));
    REQUIRE(set_accept(0, L4_FpageLog2(DEVICE_WINDOW, 12).raw));
    REQUIRE(give(0, with_rights(L4_FpageLog2(DEVICE_WINDOW, 12), L4_Readable), 0));
    L4_Word_t value = run(0, OP_READ, DEVICE_WINDOW + (RESET_VECTOR - ROM_PAGE));
    CHECK(value == 0xea, "the child read %#lx at the reset vector (vector %lu, address %#lx)", value,
          agents[0].vector, agents[0].error);
    /* Asking again maps the same page again (device memory is shared, not consumed). */
    dog = start_watchdog(3000);
    got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, L4_FpageLog2(ROM_PAGE, 12), L4_FpageLog2(DEVICE_WINDOW + PAGE_SIZE, 12));
    kill_thread(dog);
    L4_Accept(L4_UntypedWordsAcceptor);
    CHECK(L4_Address(got) == ROM_PAGE, "sigma0 gave %#lx for the ROM page the second time", got.raw);
    jump = *(volatile unsigned char *)(DEVICE_WINDOW + PAGE_SIZE + (RESET_VECTOR - ROM_PAGE));
    CHECK(jump == 0xea, "the second mapping reads %#x", jump);
    /* Flushing the first mapping takes the child's too. */
    (void)L4_Flush(with_rights(L4_FpageLog2(DEVICE_WINDOW, 12), L4_FullyAccessible));
    value = run(0, OP_READ, DEVICE_WINDOW + (RESET_VECTOR - ROM_PAGE));
    CHECK(value == FAULTED && agents[0].vector == 14, "the child read %#lx after the flush", value);
}

static void kernel_memory_is_not_device_memory(void)
{
    /* The kernel's image (1 MiB up), the KIP's own memory, sigma0's image: RAM that is not
     * sigma0's to give; and addresses beyond the physical address width. */
    L4_Word_t refused[] = {0x100000UL, 0x400000UL, 1UL << 52, 0x00007fff00000000UL};
    for (unsigned k = 0; k < sizeof refused / sizeof refused[0]; ++k) {
        L4_ThreadId_t dog = start_watchdog(3000);
        L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(sigma0_tid, L4_FpageLog2(refused[k], 12), L4_FpageLog2(WINDOW(142), 12));
        kill_thread(dog);
        L4_Accept(L4_UntypedWordsAcceptor);
        CHECK(L4_IsNilFpage(got), "sigma0 gave %#lx for %#lx", got.raw, refused[k]);
    }
    /* KIP memory descriptors: no reserved descriptor overlaps a conventional one. */
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *a = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(a) != L4_ReservedMemoryType)
            continue;
        for (L4_Word_t j = 0; j < L4_NumMemoryDescriptors(kip); ++j) {
            L4_MemoryDesc_t *b = L4_MemoryDesc(kip, j);
            if (L4_MemoryDescType(b) == L4_ConventionalMemoryType && !L4_IsMemoryDescVirtual(b))
                CHECK(L4_MemoryDescHigh(a) < L4_MemoryDescLow(b) || L4_MemoryDescHigh(b) < L4_MemoryDescLow(a),
                      "reserved [%#lx, %#lx] overlaps conventional [%#lx, %#lx]", L4_MemoryDescLow(a),
                      L4_MemoryDescHigh(a), L4_MemoryDescLow(b), L4_MemoryDescHigh(b));
        }
    }
}

/* IOP0014: a call without timeouts (the IPC fast path) from the root task, which has the
 * CMOS ports, to a thread of a space without ports switches the I/O bitmap too: the
 * thread's CMOS read raises #GP, which comes back to the caller as its exception IPC. */
/* Touches the stack below its caller's, so that the caller's later calls take no page
 * fault there (its start serves faults; the measured call must see only the #GP: the
 * layout of the image decides where pages begin). */
static __attribute__((noinline)) void touch_stack_below(void)
{
    volatile char below[512];
    below[0] = 1;
    below[sizeof below - 1] = 1;
}

static void cmos_on_request(void)
{
    L4_Set_ExceptionHandler(main_tid);
    touch_stack_below();
    (void)*(volatile const char *)iop_cmos_after; /* its code's page, likewise */
    L4_ThreadId_t from;
    L4_Wait(&from);
    for (;;) {
        L4_Word_t wanted = 0;
        L4_StoreMR(1, &wanted);
        L4_Word_t value = wanted != 0 ? iop_cmos_read(CMOS_STATUS_D) : 0;
        L4_LoadMR(0, LABEL_REPORT << 16 | 1);
        L4_LoadMR(1, value);
        L4_ReplyWait(from, &from);
    }
}

static void fast_switch_loads_bitmap(void)
{
    REQUIRE(get_ports(0x70, 1));
    L4_ThreadId_t child = spawn_child_in(cmos_on_request, 0, 0);  /* (ring 3, as the agents) */
    REQUIRE(!L4_IsNilThread(child));
    remember_child(child);
    L4_ThreadId_t sender;
    (void)serve_child(child, 300, &sender); /* its first page faults, until it waits */
    for (int warm = 0; warm < 3; ++warm) {   /* the first call joins its closed waiters */
        load_msg(LABEL_PING, 1, 0, 0, 0);
        L4_MsgTag_t tag = call_child(child, L4_Never, L4_Never);
        CHECK(L4_IpcSucceeded(tag) && is_label(tag, LABEL_REPORT), "warm-up call %d: tag %#lx, ErrorCode %lu", warm,
              tag.raw, L4_ErrorCode());
    }
    REQUIRE(!failed_now());
    load_msg(LABEL_PING, 1, 1, 0, 0);
    L4_MsgTag_t tag = L4_Call(child);
    CHECK(is_exception(tag) && mr(TERN_EXCEPTION_MR_VECTOR) == 13,
          "the CMOS read of a thread without ports after a call from a space with them: tag %#lx, vector %lu, value "
          "%#lx (expected #GP as exception IPC)", tag.raw, is_exception(tag) ? mr(TERN_EXCEPTION_MR_VECTOR) : 0,
          is_label(tag, LABEL_REPORT) ? mr(1) : 0);
}

/* After each test: the root task gives back every port it got, so the next test starts with none. */
static void forget_agents(void)
{
    drop_ports();
    for (int i = 0; i < MAX_AGENTS; ++i)
        agents[i].tid = L4_nilthread;
}

static const struct systest ioport_tests[] = {
    {"IOP0001", "a port access without its I/O fpage raises #GP, an exception IPC (vector 13)", faults_without_fpage},
    {"IOP0002", "the root task gets ports 0x70/0x71 from sigma0 and uses them; other spaces still fault",
     works_after_mapping},
    {"IOP0003", "a child gets ports from the root task by a map item and uses them", child_gets_ports},
    {"IOP0004", "Unmap of an I/O fpage revokes the child's ports; Flush the root task's too", unmap_revokes},
    {"IOP0005", "root -> A -> B: A's Unmap revokes B's ports, the root task's revokes both", recursive_revocation},
    {"IOP0006", "a grant of ports moves them (the grantor faults), still revocable from above", grant_moves},
    {"IOP0007", "deleting a space revokes the ports derived from its ports", deletion_revokes},
    {"IOP0008", "Unmap of 2 (and 1) of 8 mapped ports revokes only those", partial_unmap},
    {"IOP0009", "an I/O receive window takes the ports inside it; a memory window takes none", window_selects_ports},
    {"IOP0010", "bad I/O fpages (misaligned, too big, high bits) map and unmap nothing", bad_io_fpages},
    {"IOP0011", "a task other than the root task gets the nil fpage for ports and device memory",
     unprivileged_gets_nil},
    {"IOP0012", "the root task gets device memory (BIOS ROM) from sigma0, maps it on; Flush revokes", device_memory},
    {"IOP0014", "a call without timeouts from a space with ports to one without switches the I/O bitmap: #GP",
     fast_switch_loads_bitmap},
    {"IOP0013", "sigma0 gives no kernel RAM or addresses beyond the physical width as device memory",
     kernel_memory_is_not_device_memory},
};
SYSTEST_GROUP(ioport) = {"ioport", ioport_tests, SYSTEST_COUNT(ioport_tests), .after_each = forget_agents};
