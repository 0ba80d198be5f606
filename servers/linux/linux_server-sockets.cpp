// SPDX-License-Identifier: MIT
// Sockets for Linux processes (docs/network.md, docs/linux.md): AF_UNIX stream sockets are
// this server's (linux_server-unix_sockets.cpp); AF_INET stream and datagram sockets are the
// network server's (<l4/tern/net.h>), reached through its protocol. Its calls never wait; a
// call that would block here waits (Thread::Wait::socket) until the network server says a
// socket of ours changed (its notice to this thread, a reply's MR5-6, or the event thread's
// NET_EVENTS), and runs again. A stream's bytes may come pushed on the window's last page.
// Data goes through the window the network server maps at ATTACH: a process's bytes are
// copied into it (one copy), the server copies them on into lwIP.
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/tern/names.hpp>
#include <l4/tern/net.h>
#include <l4/tern/system.hpp>
#include <stdio.h>
#include <string.h>

#include "helper_thread.hpp"
#include "linux_abi.hpp"
#include "linux_server.hpp"
#include "task.hpp"

using namespace linux_abi;

namespace {

constexpr uint64_t net_window = 0x0000300000000000;  // where the network server's window is mapped
constexpr uint64_t window_bytes = TERN_NET_DATA_BYTES;  // what one SEND or RECV moves
uint8_t *const window = reinterpret_cast<uint8_t *>(net_window);
// The window's last page: bytes the network server pushed with a notice (<l4/tern/net.h>).
tern_net_push *const pushed = reinterpret_cast<tern_net_push *>(net_window + TERN_NET_PUSH_OFFSET);

// The bytes of socket pushed and not yet taken (none before ATTACH mapped the window).
uint64_t pushed_bytes(bool attached, uint32_t socket)
{
    if (!attached || __atomic_load_n(&pushed->full, __ATOMIC_ACQUIRE) == 0 || pushed->socket != socket ||
        pushed->taken >= pushed->length || pushed->length > TERN_NET_PUSH_BYTES)
        return 0;
    return pushed->length - pushed->taken;
}

// Takes n of them (at most pushed_bytes); the page is the server's again once all are.
void take_pushed(uint64_t n)
{
    pushed->taken += static_cast<uint32_t>(n);
    if (pushed->taken >= pushed->length)
        __atomic_store_n(&pushed->full, 0u, __ATOMIC_RELEASE);
}

constexpr uint64_t af_unix = 1, af_inet = 2, sock_stream = 1, sock_dgram = 2, sock_type_mask = 0xf;
constexpr uint64_t sock_nonblock = 04000, sock_cloexec = 02000000;
constexpr uint64_t ipproto_tcp = 6, ipproto_udp = 17;
constexpr uint64_t msg_peek = 0x2, msg_trunc = 0x20, msg_dontwait = 0x40, msg_waitall = 0x100, msg_nosignal = 0x4000,
                   msg_more = 0x8000;
constexpr uint32_t o_nonblock_flag = 04000;

// The event thread (Linux_server::start_net_events): it waits in NET_EVENTS and tells the
// main thread, which runs the calls that wait for sockets again.
constexpr L4_Word_t net_events_label = 0x4c4e;  // "LN", a request of the server's own thread
constexpr unsigned events_stack_words = 512;
L4_Word_t events_stack[events_stack_words] __attribute__((aligned(16)));
L4_ThreadId_t net_server;
L4_Word_t event_key;
Helper_thread event_thread;

void net_events()
{
    task::start_thread();
    event_thread.record();
    for (;;) {
        tern::Message wait(TERN_NET_EVENTS);
        (void)wait.add(event_key);
        if (wait.call(net_server) != tern::Status::ok) {
            L4_Sleep(L4_TimePeriod(100000));  // refused (another waiter, or no server): do not spin
            continue;
        }
        tern::Message tell(net_events_label);
        for (unsigned w = 0; w < TERN_NET_MAX_SOCKETS / 64; ++w)
            (void)tell.add(wait.word(1 + w));  // which sockets changed
        (void)tell.call(Helper_thread::main);
    }
}

struct Inet_address {
    uint16_t family, port;  // port in network byte order
    uint32_t address;
    uint8_t zero[8];
};
static_assert(sizeof(Inet_address) == 16);

uint16_t swap16(uint16_t value) { return static_cast<uint16_t>(value << 8 | value >> 8); }

}  // namespace

int64_t Linux_server::wait_for_socket(Thread &thread, uint32_t socket)
{
    thread.waiting = Thread::Wait::socket;
    thread.wait_inet_socket = static_cast<int32_t>(socket);
    return blocked;
}

bool Linux_server::inet_waiter_stays(const Thread &thread) const
{
    if (thread.waiting != Thread::Wait::socket || thread.wait_inet_socket < 0)
        return false;
    unsigned s = static_cast<unsigned>(thread.wait_inet_socket);
    return s >= TERN_NET_MAX_SOCKETS || (inet_changed_[s / 64] & (uint64_t{1} << (s % 64))) == 0;
}

void Linux_server::set_inet_drained(uint32_t socket, bool drained)
{
    if (socket >= TERN_NET_MAX_SOCKETS)
        return;
    uint64_t bit = uint64_t{1} << (socket % 64);
    inet_drained_[socket / 64] = drained ? inet_drained_[socket / 64] | bit : inet_drained_[socket / 64] & ~bit;
}

void Linux_server::sockets_changed(const uint64_t (&changed)[TERN_NET_MAX_SOCKETS / 64], int64_t push_complete)
{
    // The sockets that changed (and those the replies named): their drained marks go, and
    // only the calls waiting for them run again.
    for (unsigned w = 0; w < TERN_NET_MAX_SOCKETS / 64; ++w) {
        inet_changed_[w] |= changed[w] | inet_pending_[w];
        inet_drained_[w] &= ~inet_changed_[w];
        inet_pending_[w] = 0;
    }
    if (inet_push_complete_ >= 0 &&
        (inet_changed_[inet_push_complete_ / 64] >> (inet_push_complete_ % 64) & 1) != 0)
        inet_push_complete_ = -1;  // (it changed since: the server may hold more)
    if (push_complete >= 0)
        inet_push_complete_ = push_complete;
    wake_blocked(true);
    for (uint64_t &word : inet_changed_)
        word = 0;
}

bool Linux_server::take_pending_net_events()
{
    bool any = false;
    for (uint64_t word : inet_pending_)
        any = any || word != 0;
    if (any)
        sockets_changed({}, -1);
    return any;
}

void Linux_server::take_net_events(const tern::Message &request, unsigned first)
{
    uint64_t changed[TERN_NET_MAX_SOCKETS / 64];
    for (unsigned w = 0; w < TERN_NET_MAX_SOCKETS / 64; ++w)
        changed[w] = request.word(first + w);
    // A notice that pushed bytes: were they all the socket had?
    constexpr unsigned pushed_at = 1 + TERN_NET_MAX_SOCKETS / 64;
    int64_t push_complete = -1;
    if (first == 1 && request.untyped() == TERN_NET_NOTICE_WORDS && request.word(pushed_at) != 0 &&
        request.word(pushed_at) <= TERN_NET_MAX_SOCKETS && request.word(pushed_at + 1) == 1)
        push_complete = static_cast<int64_t>(request.word(pushed_at) - 1);
    sockets_changed(changed, push_complete);
}

int Linux_server::net_events_at(L4_ThreadId_t from, const tern::Message &request) const
{
    if (!net_attached_)
        return -1;
    if (event_thread.is(from) && request.label() == net_events_label)
        return 0;
    if (from.raw == net_server.raw && request.label() == TERN_NET_CHANGED &&
        request.untyped() == TERN_NET_NOTICE_WORDS && request.typed() == 0)
        return 1;  // (MR1: how many changes)
    return -1;
}

bool Linux_server::attach_net()
{
    if (net_attached_)
        return true;
    // Looked up again at each socket() until found: the network server registers its name
    // only once its card's driver is there.
    if (tern::names::lookup("net", 0, &net_server) != tern::Status::ok)
        return false;
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(net_window, TERN_NET_WINDOW_LOG2)));
    tern::Message attach(TERN_NET_ATTACH);
    (void)attach.add(TERN_NET_NOTICES);  // this thread hears of changes itself (notices, replies)
    tern::Status status = attach.call(net_server);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != tern::Status::ok || attach.untyped() != 1 || attach.typed() != 2) {
        printf("linux: the network server refused (status %lu): no AF_INET sockets\n", tern::raw(status));
        return false;
    }
    event_key = attach.word(0);
    Helper_thread::main = L4_Myself();
    if (tern::system::start_thread(net_events, &events_stack[events_stack_words - 1]) != tern::Status::ok) {
        printf("linux: no thread for network events: no AF_INET sockets\n");
        return false;
    }
    net_attached_ = true;
    return true;
}

int64_t Linux_server::net_call(tern::Message &request, L4_Word_t *second)
{
    if (request.call(net_server) != tern::Status::ok || request.untyped() < 1)
        return error(Errno::netdown);  // (the server went away, or refused a request of ours: a bug)
    if (request.untyped() == TERN_NET_REPLY_WORDS_WITH_CHANGES)
        for (unsigned w = 0; w < TERN_NET_MAX_SOCKETS / 64; ++w)
            inet_pending_[w] |= request.word(TERN_NET_REPLY_CHANGES_AT + w);
    if (second != nullptr)
        *second = request.word(1);
    return static_cast<int64_t>(request.word(0));
}

Open_file *Linux_server::socket_of(Process &process, uint64_t fd, int64_t &failure)
{
    Open_file *file = file_of(process, fd);
    failure = file == nullptr ? error(Errno::badf) : error(Errno::notsock);
    bool socket =
        file != nullptr && (file->kind == Open_file::Kind::inet_socket || file->kind == Open_file::Kind::unix_socket);
    return socket ? file : nullptr;
}

int64_t Linux_server::read_address(Process &process, uint64_t address, uint64_t length, uint32_t &ip, uint16_t &port,
                                   bool &unspecified)
{
    Inet_address in{};
    if (length < sizeof(uint16_t) || length > 128)
        return error(Errno::inval);
    Process_memory::Error copied =
        process.memory.copy_in(&in, address, length < sizeof in ? length : sizeof in);
    if (copied != Process_memory::Error::none)
        return memory_error(copied);
    unspecified = in.family == 0;  // AF_UNSPEC: connect's "no peer"
    if (unspecified)
        return 0;
    if (in.family != af_inet)
        return error(Errno::afnosupport);
    if (length < sizeof in)
        return error(Errno::inval);
    ip = in.address;
    port = swap16(in.port);
    return 0;
}

int64_t Linux_server::copy_out_address(Process &process, uint64_t address, uint64_t length_address, const void *bytes,
                                       uint32_t whole)
{
    if (address == 0)
        return 0;
    // As Linux's move_addr_to_user: at most the caller's length, which then says the whole.
    uint32_t length;
    Process_memory::Error copied = process.memory.copy_in(&length, length_address, sizeof length);
    if (copied != Process_memory::Error::none)
        return memory_error(copied);
    if (static_cast<int32_t>(length) < 0)
        return error(Errno::inval);
    uint32_t n = length < whole ? length : whole;
    if (n > 0)
        copied = process.memory.copy_out(address, bytes, n);
    if (copied == Process_memory::Error::none)
        copied = process.memory.copy_out(length_address, &whole, sizeof whole);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::write_address(Process &process, uint64_t address, uint64_t length_address, uint32_t ip,
                                    uint16_t port)
{
    Inet_address out{};
    out.family = af_inet;
    out.port = swap16(port);
    out.address = ip;
    return copy_out_address(process, address, length_address, &out, sizeof out);
}

int64_t Linux_server::sys_socket(Process &process, uint64_t domain, uint64_t type, uint64_t protocol)
{
    uint64_t kind = type & sock_type_mask;
    if ((type & ~(sock_type_mask | sock_nonblock | sock_cloexec)) != 0)
        return error(Errno::inval);
    if (domain == af_unix)
        return unix_socket(process, type, protocol);
    if (domain != af_inet)
        return error(Errno::afnosupport);  // AF_INET6, AF_NETLINK...: docs/linux.md
    if (kind != sock_stream && kind != sock_dgram)
        return error(Errno::protonosupport);  // SOCK_RAW and the rest
    if (protocol != 0 && protocol != (kind == sock_stream ? ipproto_tcp : ipproto_udp))
        return error(Errno::protonosupport);
    if (!attach_net())
        return error(Errno::afnosupport);  // no network server: no AF_INET
    Open_file *file = new_file(Open_file::Kind::inet_socket, 2 /* O_RDWR */ | ((type & sock_nonblock) != 0 ? o_nonblock_flag : 0));
    if (file == nullptr)
        return error(Errno::nfile);
    tern::Message request(TERN_NET_SOCKET);
    (void)request.add(kind == sock_stream ? TERN_NET_STREAM : TERN_NET_DATAGRAM);
    int64_t s = net_call(request);
    if (s < 0) {
        file->kind = Open_file::Kind::none;  // (no socket to close)
        drop_file(file);
        return s == -static_cast<int64_t>(105) ? error(Errno::nfile) : s;  // ENOBUFS: the server's table is full
    }
    file->socket = static_cast<uint32_t>(s);
    file->datagram = kind == sock_dgram;
    forget_inet_socket(file->socket);  // (a number used before)
    int fd = install(process, file, 0, (type & sock_cloexec) != 0);
    if (fd < 0)
        drop_file(file);
    return fd;
}

void Linux_server::close_socket(Open_file &file)
{
    tern::Message request(TERN_NET_CLOSE);
    (void)request.add(file.socket);
    (void)net_call(request);
    // Only now, the socket closed (the server pushes only sockets that are open): its
    // pushed bytes go with it, as the ones the server held.
    if (uint64_t left = pushed_bytes(net_attached_, file.socket); left > 0)
        take_pushed(left);
    forget_inet_socket(file.socket);
}

void Linux_server::forget_inet_socket(uint32_t socket)
{
    set_inet_drained(socket, false);
    if (inet_push_complete_ == static_cast<int64_t>(socket))
        inet_push_complete_ = -1;
}

int64_t Linux_server::sys_bind_connect(Thread &thread, uint64_t fd, uint64_t address, uint64_t length, bool connect)
{
    Process &process = *thread.process;
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    if (file->kind == Open_file::Kind::unix_socket)
        return connect ? unix_connect(thread, *file, address, length) : unix_bind(process, *file, address, length);
    if (connect && file->connecting) {
        // A blocking connect that waited: done when the socket is writable or failed.
        tern::Message status(TERN_NET_STATUS);
        (void)status.add(file->socket);
        int64_t events = net_call(status);
        if (events >= 0 && (static_cast<uint64_t>(events) & (TERN_NET_WRITABLE | TERN_NET_ERROR | TERN_NET_HANGUP)) == 0)
            return wait_for_socket(thread, file->socket);
        file->connecting = false;
        tern::Message option(TERN_NET_OPTION);
        const L4_Word_t words[] = {file->socket, 1 /* SOL_SOCKET */, 4 /* SO_ERROR */, 0, 0};
        for (L4_Word_t word : words)
            (void)option.add(word);
        L4_Word_t value = 0;
        int64_t got = net_call(option, &value);
        return got < 0 ? got : value != 0 ? -static_cast<int64_t>(value) : 0;
    }
    uint32_t ip = 0;
    uint16_t port = 0;
    bool unspecified = false;
    if (int64_t r = read_address(process, address, length, ip, port, unspecified); r < 0)
        return r;
    if (unspecified && !connect)
        return error(Errno::afnosupport);
    tern::Message request(connect ? TERN_NET_CONNECT : TERN_NET_BIND);
    (void)request.add(file->socket);
    (void)request.add(ip);
    (void)request.add(port);
    int64_t result = net_call(request);
    if (connect && result == error(Errno::inprogress) && (file->flags & o_nonblock_flag) == 0) {
        file->connecting = true;
        return wait_for_socket(thread, file->socket);
    }
    return result;
}

int64_t Linux_server::sys_listen(Process &process, uint64_t fd, uint64_t backlog)
{
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    if (file->kind == Open_file::Kind::unix_socket)
        return unix_listen(*file);
    tern::Message request(TERN_NET_LISTEN);
    (void)request.add(file->socket);
    (void)request.add(static_cast<int32_t>(backlog) < 0 ? 0 : backlog & 0xffff);
    return net_call(request);
}

int64_t Linux_server::sys_accept(Thread &thread, uint64_t fd, uint64_t address, uint64_t length_address,
                                 uint64_t flags)
{
    Process &process = *thread.process;
    if ((flags & ~(sock_nonblock | sock_cloexec)) != 0)
        return error(Errno::inval);
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    if (file->kind == Open_file::Kind::unix_socket)
        return unix_accept(thread, *file, address, length_address, flags);
    Open_file *accepted = new_file(Open_file::Kind::inet_socket, 2 | ((flags & sock_nonblock) != 0 ? o_nonblock_flag : 0));
    if (accepted == nullptr)
        return error(Errno::nfile);
    tern::Message request(TERN_NET_ACCEPT);
    (void)request.add(file->socket);
    int64_t s = net_call(request);
    if (s < 0) {
        accepted->kind = Open_file::Kind::none;
        drop_file(accepted);
        if (s == error(Errno::again) && (file->flags & o_nonblock_flag) == 0)
            return wait_for_socket(thread, file->socket);
        return s;
    }
    accepted->socket = static_cast<uint32_t>(s);
    forget_inet_socket(accepted->socket);
    int new_fd = install(process, accepted, 0, (flags & sock_cloexec) != 0);
    if (new_fd < 0) {
        drop_file(accepted);
        return new_fd;
    }
    if (int64_t written = write_address(process, address, length_address, static_cast<uint32_t>(request.word(1)),
                                        static_cast<uint16_t>(request.word(2)));
        written < 0) {
        (void)sys_close(process, static_cast<uint64_t>(new_fd));  // as Linux: the connection is dropped
        return written;
    }
    return new_fd;
}

int64_t Linux_server::socket_send(Thread &thread, Open_file &file, uint64_t buffer, uint64_t count, uint64_t flags,
                                  uint32_t ip, uint16_t port, const uint64_t *vectors, uint64_t vector_count)
{
    Process &process = *thread.process;
    uint64_t n = 0;
    if (vectors == nullptr) {
        n = count < window_bytes ? count : window_bytes;
        if (n > 0)
            if (Process_memory::Error copied = process.memory.copy_in(window, buffer, n); copied != Process_memory::Error::none)
                return memory_error(copied);
    } else {
        for (uint64_t i = 0; i < vector_count && n < window_bytes; ++i) {
            uint64_t base = vectors[2 * i], length = vectors[2 * i + 1];
            uint64_t take = length < window_bytes - n ? length : window_bytes - n;
            if (take > 0)
                if (Process_memory::Error copied = process.memory.copy_in(window + n, base, take);
                    copied != Process_memory::Error::none)
                    return memory_error(copied);
            n += take;
        }
    }
    tern::Message request(TERN_NET_SEND);
    (void)request.add(file.socket);
    (void)request.add(n);
    (void)request.add(ip);
    (void)request.add(port);
    (void)request.add((flags & msg_more) != 0 ? TERN_NET_MORE : 0);
    int64_t result = net_call(request);
    if (result == error(Errno::again) && (file.flags & o_nonblock_flag) == 0 && (flags & msg_dontwait) == 0)
        return wait_for_socket(thread, file.socket);
    if (result == error(Errno::pipe) && (flags & msg_nosignal) == 0)
        send_thread_signal(thread, 13 /* SIGPIPE */, 0x80 /* SI_KERNEL */, 0);
    return result;
}

int64_t Linux_server::socket_sendfile(Thread &thread, Open_file &out, uint32_t inode, uint64_t &offset, uint64_t count)
{
    size_t got = 0;
    if (vfs_.read(inode, offset, window, count < window_bytes ? count : window_bytes, got) != Errno::none)
        return error(Errno::io);
    if (got == 0)
        return 0;  // the file's end
    tern::Message request(TERN_NET_SEND);
    const L4_Word_t words[] = {out.socket, got, 0, 0, 0};  // socket, bytes, the connected peer, no flags
    for (L4_Word_t word : words)
        (void)request.add(word);
    int64_t result = net_call(request);
    if (result == error(Errno::again) && (out.flags & o_nonblock_flag) == 0)
        return wait_for_socket(thread, out.socket);
    if (result == error(Errno::pipe))
        send_thread_signal(thread, 13 /* SIGPIPE */, 0x80 /* SI_KERNEL */, 0);
    if (result > 0)
        offset += static_cast<uint64_t>(result);
    return result;
}

int64_t Linux_server::socket_receive(Thread &thread, Open_file &file, uint64_t buffer, uint64_t count, uint64_t flags,
                                     uint64_t address, uint64_t length_address, const uint64_t *vectors,
                                     uint64_t vector_count, uint64_t *message_flags)
{
    Process &process = *thread.process;
    uint64_t want = count;
    if (vectors != nullptr) {
        want = 0;
        for (uint64_t i = 0; i < vector_count; ++i)
            want += vectors[2 * i + 1];
    }
    uint64_t most = want < window_bytes ? want : window_bytes;
    bool blocking = (file.flags & o_nonblock_flag) == 0 && (flags & msg_dontwait) == 0;
    // (An empty socket waits before the destination is looked at, as Linux's does.)
    uint64_t at_hand = most > 0 ? pushed_bytes(net_attached_, file.socket) : 0;
    if (most > 0 && at_hand == 0 && inet_drained(file.socket))
        return blocking ? wait_for_socket(thread, file.socket) : error(Errno::again);  // (RECV would say EAGAIN)
    // The destination is checked before the network server hands over (and forgets) the
    // bytes: all it may hand over, or only the pushed bytes when they are what is read
    // (a read into a large buffer would otherwise fill every page of it each time).
    uint64_t needed = at_hand > 0 && at_hand < most ? at_hand : most;
    for (uint64_t i = 0, checked = 0; checked < needed && (vectors == nullptr ? i < 1 : i < vector_count); ++i) {
        uint64_t base = vectors == nullptr ? buffer : vectors[2 * i];
        uint64_t length = vectors == nullptr ? needed : vectors[2 * i + 1];
        length = length < needed - checked ? length : needed - checked;
        Process_memory::Error failed;
        for (uint64_t page = base & ~uint64_t{4095}; length > 0 && page < base + length; page += 4096)
            if (process.memory.page(page, prot_write, failed) == nullptr)
                return memory_error(failed);
        checked += length;
    }
    tern::Message request(TERN_NET_RECV);
    int64_t got = 0;
    uint64_t from_push = 0;
    const uint8_t *source = window;
    // Twice at most: a RECV that found the socket's bytes on the push page (put there after
    // the look below) says EAGAIN, and the page is read then. (What was checked covers the
    // page: bytes on it stay until taken, and bytes put there after at_hand's look were
    // not at hand, so all of most was checked.)
    for (unsigned attempt = 0; attempt < 2; ++attempt) {
        from_push = most > 0 ? pushed_bytes(net_attached_, file.socket) : 0;
        if (from_push > 0) {
            // Bytes the server pushed with its notice come first, without a call (they are
            // older than any the server still holds, which it keeps until these are taken).
            got = static_cast<int64_t>(from_push < most ? from_push : most);
            source = pushed->data + pushed->taken;
            request = tern::Message(tern::Status::ok);
            (void)request.add(static_cast<L4_Word_t>(got));
            (void)request.add(pushed->address);
            (void)request.add(pushed->port);
            (void)request.add(0);
            break;
        }
        request = tern::Message(TERN_NET_RECV);
        (void)request.add(file.socket);
        (void)request.add(most);
        (void)request.add((flags & msg_peek) != 0 ? TERN_NET_PEEK : 0);
        got = net_call(request);
        if (got != error(Errno::again) || pushed_bytes(net_attached_, file.socket) == 0)
            break;
    }
    // A stream the server says is empty (EAGAIN, or bytes and MR4 1: nothing left, open,
    // no error) stays so until the server tells of a change; a change during this very call
    // came on its reply (inet_pending_), and then it is not marked.
    bool pending = (inet_pending_[file.socket / 64] >> (file.socket % 64) & 1) != 0;
    if (from_push == 0 && !file.datagram && !pending &&
        (got == error(Errno::again) || (got > 0 && (flags & msg_peek) == 0 && request.word(3) == 1)))
        set_inet_drained(file.socket, true);
    if (got == error(Errno::again) && blocking)
        return wait_for_socket(thread, file.socket);
    if (got < 0)
        return got;
    uint64_t whole = file.datagram ? request.word(3) : static_cast<uint64_t>(got);
    uint64_t copied = static_cast<uint64_t>(got);
    if (vectors == nullptr) {
        if (copied > 0)
            if (Process_memory::Error e = process.memory.copy_out(buffer, source, copied); e != Process_memory::Error::none)
                return memory_error(e);
    } else {
        uint64_t done = 0;
        for (uint64_t i = 0; i < vector_count && done < copied; ++i) {
            uint64_t length = vectors[2 * i + 1], put = length < copied - done ? length : copied - done;
            if (put > 0)
                if (Process_memory::Error e = process.memory.copy_out(vectors[2 * i], source + done, put);
                    e != Process_memory::Error::none)
                    return memory_error(e);
            done += put;
        }
    }
    if (from_push > 0 && (flags & msg_peek) == 0) {
        take_pushed(copied);  // (checked memory above: a fault leaves the bytes there)
        // All the socket had, and nothing heard of it since: the next read waits at once.
        if (pushed_bytes(net_attached_, file.socket) == 0 && inet_push_complete_ == file.socket &&
            (inet_pending_[file.socket / 64] >> (file.socket % 64) & 1) == 0) {
            set_inet_drained(file.socket, true);
            inet_push_complete_ = -1;
        }
    }
    if (int64_t written = write_address(process, address, length_address, static_cast<uint32_t>(request.word(1)),
                                        static_cast<uint16_t>(request.word(2)));
        written < 0)
        return written;
    bool cut = whole > copied;
    if (message_flags != nullptr)
        *message_flags = cut ? msg_trunc : 0;
    return cut && (flags & msg_trunc) != 0 ? static_cast<int64_t>(whole) : got;
}

int64_t Linux_server::sys_sendto(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
                                 uint64_t address, uint64_t length)
{
    int64_t failure;
    Open_file *file = socket_of(*thread.process, fd, failure);
    if (file == nullptr)
        return failure;
    if (file->kind == Open_file::Kind::unix_socket) {
        const uint64_t one[2] = {buffer, count};
        return unix_send(thread, *file, one, 1, flags, address != 0 && length != 0);
    }
    uint32_t ip = 0;
    uint16_t port = 0;
    bool unspecified = false;
    if (address != 0)
        if (int64_t r = read_address(*thread.process, address, length, ip, port, unspecified); r < 0)
            return r;
    return socket_send(thread, *file, buffer, count, flags, ip, port, nullptr, 0);
}

int64_t Linux_server::sys_recvfrom(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
                                   uint64_t address, uint64_t length_address)
{
    int64_t failure;
    Open_file *file = socket_of(*thread.process, fd, failure);
    if (file == nullptr)
        return failure;
    if (file->kind == Open_file::Kind::unix_socket) {
        const uint64_t one[2] = {buffer, count};
        return unix_receive(thread, *file, one, 1, flags, address, length_address);
    }
    return socket_receive(thread, *file, buffer, count, flags, address, length_address, nullptr, 0, nullptr);
}

// struct msghdr (x86-64): name, namelen, iov, iovlen, control, controllen, flags.
struct Message_header {
    uint64_t name;
    uint32_t name_length, pad;
    uint64_t vectors, vector_count, control, control_length;
    int32_t flags, pad2;
};
static_assert(sizeof(Message_header) == 56);

int64_t Linux_server::sys_sendmsg_recvmsg(Thread &thread, uint64_t fd, uint64_t header_address, uint64_t flags,
                                          bool send)
{
    Process &process = *thread.process;
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    Message_header header;
    if (Process_memory::Error e = process.memory.copy_in(&header, header_address, sizeof header);
        e != Process_memory::Error::none)
        return memory_error(e);
    constexpr uint64_t max_vectors = 64;
    if (header.vector_count > max_vectors)
        return error(Errno::msgsize);  // (Linux takes 1024: docs/network.md)
    static uint64_t vectors[2 * max_vectors];
    uint64_t count = header.vector_count < max_vectors ? header.vector_count : max_vectors;
    if (count > 0)
        if (Process_memory::Error e = process.memory.copy_in(vectors, header.vectors, count * 16);
            e != Process_memory::Error::none)
            return memory_error(e);
    bool unix_socket = file->kind == Open_file::Kind::unix_socket;
    if (send && unix_socket)
        return unix_send(thread, *file, vectors, count, flags, header.name != 0 && header.name_length != 0);
    if (send) {
        uint32_t ip = 0;
        uint16_t port = 0;
        bool unspecified = false;
        if (header.name != 0)
            if (int64_t r = read_address(process, header.name, header.name_length, ip, port, unspecified); r < 0)
                return r;
        return socket_send(thread, *file, 0, 0, flags, ip, port, vectors, count);
    }
    uint64_t message_flags = 0;
    // msg_namelen is in the header: a length word of the process's, as recvfrom's.
    uint64_t name_length_address = header.name != 0 ? header_address + 8 : 0;
    int64_t got = unix_socket ? unix_receive(thread, *file, vectors, count, flags, header.name, name_length_address)
                              : socket_receive(thread, *file, 0, 0, flags, header.name, name_length_address, vectors,
                                               count, &message_flags);
    if (got < 0)
        return got;
    Message_header out = header;
    out.control_length = 0;  // no ancillary data
    out.flags = static_cast<int32_t>(message_flags);
    if (Process_memory::Error e = process.memory.copy_out(header_address + 40, &out.control_length, 12);
        e != Process_memory::Error::none)
        return memory_error(e);
    return got;
}

int64_t Linux_server::sys_shutdown(Process &process, uint64_t fd, uint64_t how)
{
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    if (how > 2)
        return error(Errno::inval);
    if (file->kind == Open_file::Kind::unix_socket)
        return unix_shutdown(*file, how);
    tern::Message request(TERN_NET_SHUTDOWN);
    (void)request.add(file->socket);
    (void)request.add(how);
    return net_call(request);
}

int64_t Linux_server::sys_socket_name(Process &process, uint64_t fd, uint64_t address, uint64_t length_address,
                                      bool peer)
{
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    if (file->kind == Open_file::Kind::unix_socket) {
        if (peer && !file->connected)
            return error(Errno::notconn);
        if (address == 0)
            return error(Errno::fault);
        return write_unix_address(process, address, length_address, peer ? file->peer_name : file->name);
    }
    tern::Message request(TERN_NET_NAME);
    (void)request.add(file->socket);
    (void)request.add(peer ? 1 : 0);
    int64_t result = net_call(request);
    if (result < 0)
        return result;
    if (address == 0)
        return error(Errno::fault);
    return write_address(process, address, length_address, static_cast<uint32_t>(request.word(1)),
                         static_cast<uint16_t>(request.word(2)));
}

int64_t Linux_server::sys_socket_option(Process &process, uint64_t fd, uint64_t level, uint64_t name,
                                        uint64_t value_address, uint64_t length, bool set)
{
    int64_t failure;
    Open_file *file = socket_of(process, fd, failure);
    if (file == nullptr)
        return failure;
    uint32_t value_length = 0;
    int32_t value = 0;
    if (set) {
        if (static_cast<int32_t>(length) < 0 || length < sizeof value)
            return error(Errno::inval);
        if (Process_memory::Error e = process.memory.copy_in(&value, value_address, sizeof value);
            e != Process_memory::Error::none)
            return memory_error(e);
    } else {
        if (Process_memory::Error e = process.memory.copy_in(&value_length, length, sizeof value_length);
            e != Process_memory::Error::none)
            return memory_error(e);
        if (static_cast<int32_t>(value_length) < 0)
            return error(Errno::inval);
    }
    L4_Word_t out = 0;
    int64_t result;
    if (file->kind == Open_file::Kind::unix_socket) {
        result = unix_option(*file, level, name, set, out);
    } else {
        tern::Message request(TERN_NET_OPTION);
        (void)request.add(file->socket);
        (void)request.add(level);
        (void)request.add(name);
        (void)request.add(set ? 1 : 0);
        (void)request.add(static_cast<uint64_t>(static_cast<int64_t>(value)));
        result = net_call(request, &out);
    }
    if (result < 0 || set)
        return result;
    int32_t out_value = static_cast<int32_t>(out);
    uint32_t written = value_length < sizeof out_value ? value_length : sizeof out_value;
    if (Process_memory::Error e = process.memory.copy_out(value_address, &out_value, written);
        e != Process_memory::Error::none)
        return memory_error(e);
    (void)process.memory.copy_out(length, &written, sizeof written);
    return 0;
}

uint32_t Linux_server::socket_events(Open_file &file)
{
    tern::Message request(TERN_NET_STATUS);
    (void)request.add(file.socket);
    int64_t events = net_call(request);
    if (events < 0)
        return 8;  // POLLERR
    return static_cast<uint32_t>(events) | (pushed_bytes(net_attached_, file.socket) > 0 ? TERN_NET_READABLE : 0);
}

int64_t Linux_server::socket_available(Open_file &file)
{
    tern::Message request(TERN_NET_RECV);
    (void)request.add(file.socket);
    (void)request.add(window_bytes);
    (void)request.add(TERN_NET_PEEK);
    int64_t got = net_call(request);
    return static_cast<int64_t>(pushed_bytes(net_attached_, file.socket)) + (got < 0 ? 0 : got);
}
