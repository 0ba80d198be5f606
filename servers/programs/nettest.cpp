// SPDX-License-Identifier: MIT
// The network server's socket protocol (<l4/tern/net.h>) from a native client, over
// 127.0.0.1: NETP0000 (tests/data/network-protocol.conf) starts it beside the card's driver
// and the network server. It checks ATTACH's errors, the notices (TERN_NET_NOTICES): changes
// that ride on the replies to the attaching thread's own calls (MR5-6), TERN_NET_CHANGED
// sent to that thread while it waits for any message, the EVENTS caller answered when it
// cannot take one; then the keys, the threads allowed and closing. One line a check, as the
// in-system suite prints them ("SYSTEST ok ID description" or "SYSTEST not ok ID
// description: why"), then "SYSTEST done N passed, M failed"; it then stops the machine
// (the configuration grants it), with a failure status when a check failed.
//
// A change that comes while the attaching thread waits: a stream socket's second byte,
// sent while its first is unacknowledged, is held by Nagle's algorithm until the peer's
// delayed acknowledgement, which lwIP sends from its fast timer (every 250 ms), in a round
// of the server's loop that answers nobody. The byte then reaches the peer socket, whose
// change the server tells the attaching thread by a notice (or, when that thread sleeps,
// the EVENTS caller).
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/thread.h>
#include <l4/tern/names.hpp>
#include <l4/tern/net.h>
#include <l4/tern/system.hpp>
#include <l4io.h>
#include <stdarg.h>
#include <string.h>

#include "task.hpp"

namespace {

// The window ATTACH maps: 128 KiB-aligned, far from this task's image and stack.
constexpr L4_Word_t window_address = 0x0000300000000000UL;
uint8_t *const window = reinterpret_cast<uint8_t *>(window_address);

constexpr L4_Word_t loopback = 0x0100007fUL;  // 127.0.0.1 as sockaddr_in holds it
constexpr L4_Word_t port_a = 40001, port_b = 40002, port_listener = 40010;
constexpr L4_Word_t einprogress = static_cast<L4_Word_t>(-115);
constexpr unsigned changes_at = TERN_NET_REPLY_CHANGES_AT;

L4_ThreadId_t net;
L4_Word_t sockets_before;  // the server's open sockets before this client's first
int passed, failed;
char why[256];

const char *say(const char *format, ...) __attribute__((format(printf, 1, 2)));
const char *say(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(why, sizeof why, format, arguments);
    va_end(arguments);
    return why;
}

void check(const char *id, const char *description, bool ok, const char *reason)
{
    if (ok) {
        ++passed;
        printf("SYSTEST ok %s %s\n", id, description);
    } else {
        ++failed;
        printf("SYSTEST not ok %s %s: %s\n", id, description, reason);
    }
}

// A request of label with count words to the network server; the reply.
tern::Message ask(L4_Word_t label, unsigned count, L4_Word_t w0 = 0, L4_Word_t w1 = 0, L4_Word_t w2 = 0,
                  L4_Word_t w3 = 0, L4_Word_t w4 = 0)
{
    const L4_Word_t words[] = {w0, w1, w2, w3, w4};
    tern::Message request(label);
    for (unsigned i = 0; i < count && i < 5; ++i)
        (void)request.add(words[i]);
    (void)request.call(net);
    return request;
}

// Socket s's bit among the words from first on (EVENTS' MR2-3, a reply's MR5-6).
bool has_bit(const tern::Message &message, unsigned first, L4_Word_t s)
{
    return s < TERN_NET_MAX_SOCKETS && ((message.word(first + static_cast<unsigned>(s / 64)) >> (s % 64)) & 1) != 0;
}

// A reply that carries changes (TERN_NET_REPLY_WORDS_WITH_CHANGES words) naming s.
bool reply_names(const tern::Message &reply, L4_Word_t s)
{
    return reply.untyped() == TERN_NET_REPLY_WORDS_WITH_CHANGES && has_bit(reply, changes_at, s);
}

L4_Word_t open_sockets()
{
    tern::Message statistics = ask(TERN_NET_STATISTICS, 0);
    return statistics.status() == tern::Status::ok && statistics.untyped() >= 4 ? statistics.word(3) : ~0UL;
}

// Takes changes the server still holds for this thread: they ride on a reply of ours.
void take_pending_changes() { (void)open_sockets(); }

// What arrived while this thread waited for any message.
struct Notices {
    static constexpr unsigned most = 8;
    tern::Message notice[most];
    unsigned count = 0;
    unsigned strays = 0;  // anything else: not from the server, or not a well-formed notice
    L4_Word_t stray_label = 0;

    unsigned naming(L4_Word_t s) const
    {
        unsigned n = 0;
        for (unsigned i = 0; i < count; ++i)
            n += has_bit(notice[i], 1, s);
        return n;
    }
};

// Waits up to micros for messages; stops early when a notice names until_socket (if given).
// Nothing else (no printing: a call to the console) happens meanwhile.
void wait_for_notices(L4_Word_t micros, Notices &notices, L4_Word_t until_socket = ~0UL)
{
    L4_Word_t end = L4_SystemClock().raw + micros;
    for (;;) {
        L4_Word_t now = L4_SystemClock().raw;
        if (now >= end)
            return;
        L4_ThreadId_t from;
        L4_Accept(L4_UntypedWordsAcceptor);
        L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(end - now), &from);
        if (L4_IpcFailed(tag))
            continue;  // (the timeout: the loop ends)
        tern::Message message = tern::Message::received(tag);
        bool notice = from.raw == net.raw && message.label() == TERN_NET_CHANGED && message.typed() == 0 &&
                      message.untyped() == TERN_NET_NOTICE_WORDS && message.word(0) >= 1;
        if (!notice) {
            ++notices.strays;
            notices.stray_label = message.label();
            continue;
        }
        if (notices.count < Notices::most)
            notices.notice[notices.count++] = message;
        if (until_socket != ~0UL && has_bit(message, 1, until_socket))
            return;
    }
}

// A second thread of this task: it runs one job at a time (EVENTS, or a socket call that
// only the attaching thread may make) and records the reply.
constexpr unsigned helper_stack_words = 1024;
L4_Word_t helper_stack[helper_stack_words] __attribute__((aligned(16)));
enum class Job : L4_Word_t { none, events, socket };
volatile Job helper_job = Job::none;
volatile L4_Word_t helper_key, helper_started, helper_seq, helper_done;
tern::Message helper_reply;

void helper_main()
{
    task::start_thread();
    helper_started = 1;
    L4_Word_t seen = 0;
    for (;;) {
        while (helper_seq == seen)
            L4_Sleep(L4_TimePeriod(1000));
        seen = helper_seq;
        tern::Message request(helper_job == Job::events ? TERN_NET_EVENTS : TERN_NET_SOCKET);
        (void)request.add(helper_job == Job::events ? helper_key : TERN_NET_DATAGRAM);
        (void)request.call(net);
        helper_reply = request;
        __atomic_store_n(&helper_done, seen, __ATOMIC_RELEASE);
    }
}

// Gives the helper a job; it runs it at once (and may wait in it).
void helper_run(Job job, L4_Word_t key)
{
    helper_job = job;
    helper_key = key;
    __atomic_store_n(&helper_seq, helper_seq + 1, __ATOMIC_RELEASE);
}

bool helper_finished() { return __atomic_load_n(&helper_done, __ATOMIC_ACQUIRE) == helper_seq; }

bool wait_helper(L4_Word_t micros)
{
    for (L4_Word_t waited = 0; waited < micros && !helper_finished(); waited += 1000)
        L4_Sleep(L4_TimePeriod(1000));
    return helper_finished();
}

// Sends one byte on stream socket c.
tern::Message send_byte(L4_Word_t c, uint8_t byte)
{
    window[0] = byte;
    return ask(TERN_NET_SEND, 5, c, 1, 0, 0, 0);
}

L4_Word_t key;
L4_Word_t sock_a = ~0UL, sock_b = ~0UL, listener = ~0UL, client = ~0UL, accepted = ~0UL;

void attach_tests()
{
    L4_Word_t before = sockets_before = open_sockets();
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(window_address, TERN_NET_WINDOW_LOG2)));
    tern::Message unknown_flag = ask(TERN_NET_ATTACH, 1, 2);
    check("NETP0001", "ATTACH with MR1 = 2 (an unknown flag) is malformed, without a map item",
          unknown_flag.status() == tern::Status::malformed && unknown_flag.typed() == 0,
          say("status %lu, %u typed words", tern::raw(unknown_flag.status()), unknown_flag.typed()));
    tern::Message two_words = ask(TERN_NET_ATTACH, 2, TERN_NET_NOTICES, 0);
    check("NETP0002", "ATTACH with two words is malformed, without a map item",
          two_words.status() == tern::Status::malformed && two_words.typed() == 0,
          say("status %lu, %u typed words", tern::raw(two_words.status()), two_words.typed()));
    L4_Accept(L4_UntypedWordsAcceptor);
    tern::Message socket = ask(TERN_NET_SOCKET, 1, TERN_NET_DATAGRAM);
    L4_Word_t after = open_sockets();
    check("NETP0003", "after them this thread is no client (SOCKET denied) and the server opened no socket",
          socket.status() == tern::Status::denied && before != ~0UL && after == before,
          say("SOCKET status %lu, sockets open %lu then %lu", tern::raw(socket.status()), before, after));

    L4_Accept(L4_MapGrantItems(L4_FpageLog2(window_address, TERN_NET_WINDOW_LOG2)));
    tern::Message attach = ask(TERN_NET_ATTACH, 1, TERN_NET_NOTICES);
    L4_Accept(L4_UntypedWordsAcceptor);
    key = attach.word(0);
    check("NETP0004", "ATTACH with TERN_NET_NOTICES is answered with a key in MR1 and one map item (the window)",
          attach.status() == tern::Status::ok && attach.untyped() == 1 && attach.typed() == 2 && key != 0,
          say("status %lu, %u untyped and %u typed words, key %lx", tern::raw(attach.status()), attach.untyped(),
              attach.typed(), key));
}

void datagram_tests()
{
    sock_a = ask(TERN_NET_SOCKET, 1, TERN_NET_DATAGRAM).word(0);
    sock_b = ask(TERN_NET_SOCKET, 1, TERN_NET_DATAGRAM).word(0);
    L4_Word_t bind_a = ask(TERN_NET_BIND, 3, sock_a, loopback, port_a).word(0);
    L4_Word_t bind_b = ask(TERN_NET_BIND, 3, sock_b, loopback, port_b).word(0);
    bool opened = sock_a < TERN_NET_MAX_SOCKETS && sock_b < TERN_NET_MAX_SOCKETS && sock_a != sock_b;
    check("NETP0005", "two datagram sockets A and B, bound to 127.0.0.1 ports 40001 and 40002",
          opened && bind_a == 0 && bind_b == 0,
          say("sockets %ld and %ld, BIND %ld and %ld", static_cast<long>(sock_a), static_cast<long>(sock_b),
              static_cast<long>(bind_a), static_cast<long>(bind_b)));
    if (!opened)
        return;

    static const char datagram[] = "a datagram from A to B";
    const unsigned length = sizeof datagram - 1;
    take_pending_changes();
    memcpy(window, datagram, length);
    tern::Message send = ask(TERN_NET_SEND, 5, sock_a, length, loopback, port_b, 0);
    check("NETP0006", "SEND from A to B's port - B changed during the call - has a reply of "
          "TERN_NET_REPLY_WORDS_WITH_CHANGES words with B's bit in MR5-6",
          send.status() == tern::Status::ok && send.word(0) == length && reply_names(send, sock_b),
          say("status %lu, result %ld, %u words, MR5-6 %lx %lx", tern::raw(send.status()),
              static_cast<long>(send.word(0)), send.untyped(), send.word(changes_at), send.word(changes_at + 1)));

    memset(window, 0, 64);
    tern::Message recv = ask(TERN_NET_RECV, 3, sock_b, 64, 0);
    check("NETP0007", "RECV on B puts the datagram in the window, with A's address, port and length",
          recv.status() == tern::Status::ok && recv.word(0) == length && memcmp(window, datagram, length) == 0 &&
              recv.word(1) == loopback && recv.word(2) == port_a && recv.word(3) == length,
          say("status %lu, result %ld, address %lx port %lu length %lu, window \"%.22s\"", tern::raw(recv.status()),
              static_cast<long>(recv.word(0)), recv.word(1), recv.word(2), recv.word(3),
              reinterpret_cast<const char *>(window)));

    L4_Accept(L4_MapGrantItems(L4_FpageLog2(window_address, TERN_NET_WINDOW_LOG2)));
    tern::Message again = ask(TERN_NET_ATTACH, 1, TERN_NET_NOTICES | 4);
    L4_Accept(L4_UntypedWordsAcceptor);
    tern::Message status = ask(TERN_NET_STATUS, 1, sock_b);
    L4_Word_t open = open_sockets();
    check("NETP0008", "a malformed ATTACH of a client leaves it as it was - its sockets stay open",
          again.status() == tern::Status::malformed && status.status() == tern::Status::ok &&
              (status.word(0) & TERN_NET_WRITABLE) != 0 && open == sockets_before + 2,
          say("ATTACH status %lu, STATUS of B status %lu events %lx, sockets open %lu", tern::raw(again.status()),
              tern::raw(status.status()), status.word(0), open));
}

void stream_tests()
{
    listener = ask(TERN_NET_SOCKET, 1, TERN_NET_STREAM).word(0);
    L4_Word_t bound = ask(TERN_NET_BIND, 3, listener, loopback, port_listener).word(0);
    L4_Word_t listening = ask(TERN_NET_LISTEN, 2, listener, 4).word(0);
    client = ask(TERN_NET_SOCKET, 1, TERN_NET_STREAM).word(0);
    take_pending_changes();
    // CONNECT, then at once wait: the handshake over the loopback interface runs in the
    // server's loop, during this call or in a round after it.
    tern::Message connect = ask(TERN_NET_CONNECT, 3, client, loopback, port_listener);
    Notices notices;
    wait_for_notices(1000000, notices);
    bool on_reply = reply_names(connect, listener);
    unsigned by_notice = notices.naming(listener);
    bool opened = listener < TERN_NET_MAX_SOCKETS && client < TERN_NET_MAX_SOCKETS;
    printf("nettest: the connection to L was reported %s (CONNECT's reply: %u words, MR5-6 %lx %lx; %u notices "
           "within 1 s, %u of them naming L)\n",
           on_reply && by_notice == 0   ? "on CONNECT's reply"
           : !on_reply && by_notice == 1 ? "by a TERN_NET_CHANGED notice"
                                         : "wrongly",
           connect.untyped(), connect.word(changes_at), connect.word(changes_at + 1), notices.count, by_notice);
    check("NETP0009", "TCP listener L on 127.0.0.1 port 40010, C's CONNECT answers 0 or -EINPROGRESS, and the "
          "connection to L is reported exactly once - on CONNECT's reply or by a notice",
          opened && bound == 0 && listening == 0 && connect.status() == tern::Status::ok &&
              (connect.word(0) == 0 || connect.word(0) == einprogress) && (on_reply ? 1 : 0) + by_notice == 1 &&
              notices.strays == 0,
          say("L %ld C %ld, BIND %ld LISTEN %ld CONNECT status %lu result %ld; on the reply %d, by %u notices, %u "
              "other messages (label %lx)",
              static_cast<long>(listener), static_cast<long>(client), static_cast<long>(bound),
              static_cast<long>(listening), tern::raw(connect.status()), static_cast<long>(connect.word(0)), on_reply,
              by_notice, notices.strays, notices.stray_label));
    if (!opened)
        return;

    tern::Message accept = ask(TERN_NET_ACCEPT, 1, listener);
    tern::Message name = ask(TERN_NET_NAME, 2, client, 0);
    accepted = accept.word(0);
    check("NETP0010", "ACCEPT on L gives the connection A, with C's address and port",
          accept.status() == tern::Status::ok && accepted < TERN_NET_MAX_SOCKETS && accepted != listener &&
              accepted != client && name.word(0) == 0 && accept.word(1) == loopback && accept.word(2) == name.word(2),
          say("status %lu, result %ld, address %lx port %lu; C's own port %lu", tern::raw(accept.status()),
              static_cast<long>(accepted), accept.word(1), accept.word(2), name.word(2)));
    if (accepted >= TERN_NET_MAX_SOCKETS)
        accepted = ~0UL;
}

// C sends two bytes; the second waits for A's delayed acknowledgement (a timer in the server).
// False when the timer came between the two calls, so that the second byte went on the
// reply after all: the caller tries again.
bool send_held_byte(tern::Message &first, tern::Message &second)
{
    take_pending_changes();
    first = send_byte(client, 'x');
    second = send_byte(client, 'y');
    return !reply_names(second, accepted);
}

// After a round: both bytes read, and the acknowledgements done (lwIP's fast timer). The
// bytes the server pushed with a notice come first (the push page), RECV gives the rest;
// *pushed says how many were pushed.
L4_Word_t read_bytes(char *out, L4_Word_t *pushed = nullptr)
{
    auto *page = reinterpret_cast<tern_net_push *>(window + TERN_NET_PUSH_OFFSET);
    L4_Word_t from_page = 0;
    if (__atomic_load_n(&page->full, __ATOMIC_ACQUIRE) != 0 && page->socket == accepted &&
        page->taken <= page->length && page->length <= TERN_NET_PUSH_BYTES) {
        from_page = page->length - page->taken;
        if (from_page > 2)
            from_page = 2;
        memcpy(out, page->data + page->taken, from_page);
        page->taken += static_cast<L4_Word32_t>(from_page);
        if (page->taken == page->length)
            __atomic_store_n(&page->full, 0u, __ATOMIC_RELEASE);  // the page is the server's again
    }
    if (pushed != nullptr)
        *pushed = from_page;
    out[2] = '\0';
    if (from_page == 2)
        return 2;
    memset(window, 0, 8);
    tern::Message recv = ask(TERN_NET_RECV, 3, accepted, 2 - from_page, 0);
    memcpy(out + from_page, window, 2 - from_page);
    if (recv.status() != tern::Status::ok || static_cast<long>(recv.word(0)) < 0)
        return from_page > 0 ? from_page : ~0UL;
    return from_page + recv.word(0);
}

// NETP0018's findings, checked last (the harness reads the checks in order).
L4_Word_t pushed_with_notice = ~0UL;
bool notice_named_accepted = false;
tern::Status own_events_status = tern::Status::ok;  // EVENTS from the attaching thread (NETP0019)
L4_Word_t notice_push_words[2] = {~0UL, ~0UL};  // the notice's MR4 (socket + 1) and MR5 (emptied)

void notice_test()
{
    if (accepted == ~0UL) {
        check("NETP0011", "a notice while waiting (no connection)", false, "no accepted socket");
        return;
    }
    tern::Message first, second;
    Notices notices;
    unsigned attempt = 0;
    for (; attempt < 3; ++attempt) {
        if (send_held_byte(first, second)) {
            wait_for_notices(1000000, notices, accepted);
            break;
        }
        char ignored[3];
        (void)read_bytes(ignored);
        L4_Sleep(L4_TimePeriod(600000));
    }
    char got[3];
    L4_Word_t read = read_bytes(got, &pushed_with_notice);
    bool named = notices.naming(accepted) >= 1;
    notice_named_accepted = named;
    for (unsigned i = 0; i < notices.count; ++i)
        if (has_bit(notices.notice[i], 1, accepted)) {
            notice_push_words[0] = notices.notice[i].word(3);
            notice_push_words[1] = notices.notice[i].word(4);
        }
    printf("nettest: C's first byte %s on SEND's reply, the second held; %u notices (MR1 %lu, MR2-3 %lx %lx), "
           "attempt %u\n",
           reply_names(first, accepted) ? "named A" : "did not name A", notices.count,
           notices.count > 0 ? notices.notice[0].word(0) : 0UL, notices.count > 0 ? notices.notice[0].word(1) : 0UL,
           notices.count > 0 ? notices.notice[0].word(2) : 0UL, attempt + 1);
    check("NETP0011", "a change while the attaching thread waits for any message (C's second byte, held by Nagle "
          "until A's delayed acknowledgement) comes as a TERN_NET_CHANGED notice naming A, and A's reads give both bytes",
          attempt < 3 && first.word(0) == 1 && second.word(0) == 1 && named && notices.strays == 0 && read == 2 &&
              strcmp(got, "xy") == 0,
          say("attempts %u, SEND results %ld %ld, %u notices (%u naming A), %u other messages (label %lx), RECV %ld "
              "\"%s\"",
              attempt + 1, static_cast<long>(first.word(0)), static_cast<long>(second.word(0)), notices.count,
              notices.naming(accepted), notices.strays, notices.stray_label, static_cast<long>(read), got));
}

void events_tests()
{
    tern::Message wrong = ask(TERN_NET_EVENTS, 1, key ^ 0x5a5a5a5a5a5a5a5aUL);
    tern::Message none = ask(TERN_NET_EVENTS, 0);
    // The right key, but from the attaching thread of a client with notices (NETP0019).
    tern::Message own = ask(TERN_NET_EVENTS, 1, key);
    own_events_status = own.status();
    check("NETP0012", "EVENTS with a wrong key, and with no key, is denied",
          wrong.status() == tern::Status::denied && none.status() == tern::Status::denied,
          say("statuses %lu and %lu", tern::raw(wrong.status()), tern::raw(none.status())));

    if (tern::system::start_thread(helper_main, &helper_stack[helper_stack_words - 1]) != tern::Status::ok) {
        check("NETP0013", "a second thread for EVENTS", false, "root started no thread");
        return;
    }
    while (!helper_started)
        L4_Sleep(L4_TimePeriod(1000));
    if (accepted == ~0UL) {
        check("NETP0013", "EVENTS from a second thread (no connection)", false, "no accepted socket");
        return;
    }
    // No change may be pending when the helper asks: its call would be answered at once.
    L4_Sleep(L4_TimePeriod(600000));
    take_pending_changes();
    helper_run(Job::events, key);
    L4_Sleep(L4_TimePeriod(200000));
    bool waits = !helper_finished();
    check("NETP0013", "EVENTS with the right key from a second thread waits (no answer within 200 ms)", waits,
          say("answered with status %lu, MR1 %lu", tern::raw(helper_reply.status()), helper_reply.word(0)));
    if (!waits)
        return;

    tern::Message first, second;
    unsigned attempt = 0;
    for (; attempt < 3; ++attempt) {
        if (send_held_byte(first, second)) {
            L4_Sleep(L4_TimePeriod(1000000));  // a notice cannot reach this thread now
            break;
        }
        char ignored[3];
        (void)read_bytes(ignored);
        L4_Sleep(L4_TimePeriod(600000));
    }
    bool answered = wait_helper(1000000);
    char got[3];
    L4_Word_t read = read_bytes(got);
    check("NETP0014", "... and is answered, naming A, when A changes while the attaching thread sleeps (it cannot "
          "take a notice)",
          attempt < 3 && answered && helper_reply.status() == tern::Status::ok && helper_reply.untyped() == 3 &&
              helper_reply.word(0) >= 1 && has_bit(helper_reply, 1, accepted) && read == 2 && strcmp(got, "xy") == 0,
          say("attempts %u, answered %d, status %lu, %u words, MR1 %lu MR2-3 %lx %lx, RECV %ld \"%s\"", attempt + 1,
              answered, tern::raw(helper_reply.status()), helper_reply.untyped(), helper_reply.word(0),
              helper_reply.word(1), helper_reply.word(2), static_cast<long>(read), got));
    if (!answered)
        return;

    helper_run(Job::socket, 0);
    bool done = wait_helper(1000000);
    L4_Word_t open = open_sockets();
    check("NETP0015", "a socket call from a thread other than the attaching one is denied",
          done && helper_reply.status() == tern::Status::denied && open == sockets_before + 5,
          say("finished %d, status %lu, sockets open %lu", done, tern::raw(helper_reply.status()), open));
}

void close_tests()
{
    L4_Word_t sockets[] = {sock_a, sock_b, accepted, client, listener};
    bool all = true;
    char results[128] = "";
    unsigned at = 0;
    for (L4_Word_t s : sockets) {
        tern::Message close = ask(TERN_NET_CLOSE, 1, s);
        bool ok = s < TERN_NET_MAX_SOCKETS && close.status() == tern::Status::ok && close.word(0) == 0;
        all = all && ok;
        at += static_cast<unsigned>(snprintf(results + at, sizeof results - at, " %ld:%lu/%ld", static_cast<long>(s),
                                             tern::raw(close.status()), static_cast<long>(close.word(0))));
        if (at >= sizeof results)
            at = sizeof results - 1;
    }
    L4_Word_t open = open_sockets();
    check("NETP0016", "CLOSE of each socket (A, B, the connection, C, L) returns 0 and no socket stays open",
          all && open == sockets_before, say("socket:status/result%s; sockets open %lu", results, open));

    tern::Message recv = ask(TERN_NET_RECV, 3, sock_b, 64, 0);
    tern::Message close = ask(TERN_NET_CLOSE, 1, sock_a);
    check("NETP0017", "RECV on a closed socket number, and CLOSE again, are errors (NOT_FOUND)",
          recv.status() == tern::Status::not_found && close.status() == tern::Status::not_found,
          say("RECV status %lu, CLOSE status %lu", tern::raw(recv.status()), tern::raw(close.status())));
}

}  // namespace

int main()
{
    // The network server registers its name once its card's driver is there: wait up to 60 s.
    tern::Status found = tern::Status::failed;
    for (int tries = 0; tries < 600 && found != tern::Status::ok; ++tries) {
        found = tern::names::lookup("net", 0, &net);
        if (found != tern::Status::ok)
            L4_Sleep(L4_TimePeriod(100000));
    }
    if (found != tern::Status::ok) {
        check("NETP0001", "the network server is there", false, say("lookup status %lu", tern::raw(found)));
    } else {
        attach_tests();
        datagram_tests();
        stream_tests();
        notice_test();
        events_tests();
        close_tests();
        check("NETP0018", "the notice came with A's bytes pushed: the window's last page held both (socket A, "
              "length 2), no RECV was needed, and the notice's MR4-5 said A (+1) and that A was left empty",
              notice_named_accepted && pushed_with_notice == 2 && notice_push_words[0] == accepted + 1 &&
                  notice_push_words[1] == 1,
              say("notice named A: %d, bytes on the push page: %ld, MR4 %lu MR5 %lu (A is %lu)",
                  notice_named_accepted, static_cast<long>(pushed_with_notice), notice_push_words[0],
                  notice_push_words[1], accepted));
        check("NETP0019", "EVENTS with the right key from the attaching thread of a client with notices is "
              "denied at once (a notice could otherwise answer its call)",
              own_events_status == tern::Status::denied, say("status %lu", tern::raw(own_events_status)));
    }
    printf("SYSTEST done %d passed, %d failed\n", passed, failed);
    (void)tern::system::call(TERN_SYSTEM_SHUTDOWN, static_cast<L4_Word_t>(failed));
    return failed;
}
