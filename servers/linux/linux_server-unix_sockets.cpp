// SPDX-License-Identifier: MIT
// AF_UNIX stream sockets (docs/linux.md), this server's own. A connected socket is two pipes
// of pipes_, one each way: it reads one and writes the other, so its reads and writes, their
// waits, end of file and EPIPE are a pipe's. bind makes a socket file in the Vfs (stat and
// unlink see it, as in Linux) and names it in unix_names_; connect finds the listener by that
// file's inode and queues the other end of a new pair on it for accept. Not here: datagram
// and seqpacket sockets, abstract names, ancillary data (SCM_RIGHTS, SCM_CREDENTIALS).
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"

using namespace linux_abi;

namespace {

constexpr uint64_t af_inet = 2, af_unix = 1, sock_stream = 1, sock_type_mask = 0xf;
constexpr uint64_t sock_nonblock = 04000, sock_cloexec = 02000000;
constexpr uint64_t msg_peek = 0x2, msg_dontwait = 0x40, msg_nosignal = 0x4000;
constexpr uint32_t o_rdwr = 2, o_nonblock = 04000;
constexpr unsigned max_pending = 8;  // connections a listener holds for accept (listen's backlog is not used)

struct Unix_address {  // struct sockaddr_un
    uint16_t family;
    char path[108];
};
static_assert(sizeof(Unix_address) == 110);

// socket's and socketpair's checks of an AF_UNIX type and protocol, in Linux's order.
int64_t check_type(uint64_t type, uint64_t protocol)
{
    uint64_t kind = type & sock_type_mask;
    if (protocol != 0 && protocol != af_unix)
        return error(Errno::protonosupport);
    if (kind == 2 || kind == 3 || kind == 5)
        return error(Errno::opnotsupp);  // SOCK_DGRAM (and SOCK_RAW, its alias), SOCK_SEQPACKET: not yet
    return kind == sock_stream ? 0 : error(Errno::socktnosupport);
}

Unix_name *use(Unix_name *name)
{
    if (name != nullptr)
        ++name->users;
    return name;
}

}  // namespace

void Linux_server::release_name(Unix_name *name)
{
    if (name != nullptr && --name->users == 0)
        vfs_.drop(name->inode);
}

int64_t Linux_server::unix_socket(Process &process, uint64_t type, uint64_t protocol)
{
    if (int64_t checked = check_type(type, protocol); checked < 0)
        return checked;
    Open_file *file = new_file(Open_file::Kind::unix_socket, o_rdwr | ((type & sock_nonblock) != 0 ? o_nonblock : 0));
    if (file == nullptr)
        return error(Errno::nfile);
    int fd = install(process, file, 0, (type & sock_cloexec) != 0);
    if (fd < 0)
        drop_file(file);
    return fd;
}

// Connects a and b, two sockets that are neither connected nor listening.
int64_t Linux_server::connect_pair(Open_file &a, Open_file &b)
{
    Pipe *one, *other;
    if (int64_t made = new_pipe(one); made < 0)
        return made;
    if (int64_t made = new_pipe(other); made < 0) {
        leave_pipe(one, true);
        leave_pipe(one, false);
        return made;
    }
    a.pipe = b.send_pipe = one;
    b.pipe = a.send_pipe = other;
    a.connected = b.connected = true;
    return 0;
}

int64_t Linux_server::sys_socketpair(Process &process, uint64_t domain, uint64_t type, uint64_t protocol, uint64_t fds)
{
    if ((type & ~(sock_type_mask | sock_nonblock | sock_cloexec)) != 0)
        return error(Errno::inval);
    if (domain != af_unix)
        return error(domain == af_inet ? Errno::opnotsupp : Errno::afnosupport);
    if (int64_t checked = check_type(type, protocol); checked < 0)
        return checked;
    uint32_t flags = o_rdwr | ((type & sock_nonblock) != 0 ? o_nonblock : 0);
    Open_file *ends[2] = {new_file(Open_file::Kind::unix_socket, flags), nullptr};
    if (ends[0] != nullptr)
        ends[1] = new_file(Open_file::Kind::unix_socket, flags);
    int64_t result = ends[1] == nullptr ? error(Errno::nfile) : connect_pair(*ends[0], *ends[1]);
    int32_t fd[2] = {-1, -1};
    for (int i = 0; i < 2 && result == 0; ++i)
        if ((fd[i] = install(process, ends[i], 0, (type & sock_cloexec) != 0)) < 0)
            result = fd[i];
    if (result == 0)
        if (Process_memory::Error copied = process.memory.copy_out(fds, fd, sizeof fd);
            copied != Process_memory::Error::none)
            result = memory_error(copied);
    for (int i = 0; i < 2 && result < 0; ++i) {
        if (fd[i] >= 0)
            close_fd(process, static_cast<unsigned>(fd[i]));
        else if (ends[i] != nullptr)
            drop_file(ends[i]);
    }
    return result;
}

// The path of the sockaddr_un at address (length bytes), and the directory a relative path
// starts from (the cwd): the path's length. An abstract name (a NUL first) is EINVAL.
int64_t Linux_server::unix_path(Process &process, uint64_t address, uint64_t length, char *path, uint32_t &start)
{
    Unix_address in;
    if (length <= sizeof in.family || length > sizeof in)
        return error(Errno::inval);
    if (Process_memory::Error copied = process.memory.copy_in(&in, address, length);
        copied != Process_memory::Error::none)
        return memory_error(copied);
    if (in.family != af_unix || in.path[0] == '\0')
        return error(Errno::inval);
    size_t n = 0;
    while (n < length - sizeof in.family && in.path[n] != '\0')
        ++n;
    memcpy(path, in.path, n);
    if (int64_t r = start_of(process, static_cast<uint64_t>(-100) /* AT_FDCWD */, start); r < 0)
        return r;
    return static_cast<int64_t>(n);
}

int64_t Linux_server::unix_bind(Process &process, Open_file &file, uint64_t address, uint64_t length)
{
    char path[sizeof Unix_address::path];
    uint32_t start, ino = 0;
    int64_t n = unix_path(process, address, length, path, start);
    if (n < 0)
        return n;
    if (file.name != nullptr)
        return error(Errno::inval);  // bound already
    Unix_name *name = nullptr;
    for (Unix_name &candidate : unix_names_)
        if (candidate.users == 0) {
            name = &candidate;
            break;
        }
    if (name == nullptr)
        return error(Errno::nomem);
    Errno made =
        vfs_.mknod(start, path, static_cast<size_t>(n), Vfs::type_socket | (0777 & ~process.umask), 0, 0, 0, now_ns());
    if (made == Errno::exist)
        return error(Errno::addrinuse);
    if (made == Errno::none)
        made = vfs_.resolve(start, path, static_cast<size_t>(n), false, ino);
    if (made == Errno::none)
        made = vfs_.hold(ino);
    if (made != Errno::none)
        return error(made);
    name->users = 1;
    name->inode = ino;
    name->length = static_cast<uint8_t>(n);
    memcpy(name->path, path, static_cast<size_t>(n));
    file.name = name;
    return 0;
}

int64_t Linux_server::unix_listen(Open_file &file)
{
    if (file.name == nullptr || file.connected)
        return error(Errno::inval);  // not bound, or connected
    file.listening = true;
    return 0;
}

int64_t Linux_server::unix_connect(Thread &thread, Open_file &file, uint64_t address, uint64_t length)
{
    char path[sizeof Unix_address::path];
    uint32_t start, ino = 0;
    int64_t n = unix_path(*thread.process, address, length, path, start);
    if (n < 0)
        return n;
    if (file.connected || file.listening)
        return error(file.connected ? Errno::isconn : Errno::inval);
    if (Errno found = vfs_.resolve(start, path, static_cast<size_t>(n), true, ino); found != Errno::none)
        return error(found);
    Open_file *listener = nullptr;
    for (Open_file &candidate : files_)
        if (candidate.references > 0 && candidate.kind == Open_file::Kind::unix_socket && candidate.listening &&
            candidate.name->inode == ino)
            listener = &candidate;
    if (listener == nullptr)
        return error(Errno::connrefused);  // no socket file, or nobody listens at it
    unsigned queued = 0;
    Open_file **last = &listener->pending;
    for (; *last != nullptr; last = &(*last)->pending)
        ++queued;
    if (queued == max_pending) {  // accept makes room
        if ((file.flags & o_nonblock) != 0)
            return error(Errno::again);
        thread.waiting = Thread::Wait::socket;
        thread.wait_inet_socket = -1;
        return blocked;
    }
    Open_file *accepted = new_file(Open_file::Kind::unix_socket, o_rdwr);
    if (accepted == nullptr)
        return error(Errno::nfile);
    if (int64_t connected = connect_pair(file, *accepted); connected < 0) {
        drop_file(accepted);
        return connected;
    }
    accepted->name = use(listener->name);
    accepted->peer_name = use(file.name);
    file.peer_name = use(listener->name);
    *last = accepted;
    wake_blocked();  // an accept or a poll of the listener
    return 0;
}

int64_t Linux_server::unix_accept(Thread &thread, Open_file &listener, uint64_t address, uint64_t length_address,
                                  uint64_t flags)
{
    if (!listener.listening)
        return error(Errno::inval);
    Open_file *accepted = listener.pending;
    if (accepted == nullptr) {
        if ((listener.flags & o_nonblock) != 0)
            return error(Errno::again);
        thread.waiting = Thread::Wait::socket;
        thread.wait_inet_socket = -1;
        return blocked;
    }
    int fd = install(*thread.process, accepted, 0, (flags & sock_cloexec) != 0);
    if (fd < 0)
        return fd;  // (the connection stays queued)
    listener.pending = accepted->pending;
    accepted->pending = nullptr;
    if ((flags & sock_nonblock) != 0)
        accepted->flags |= o_nonblock;
    wake_blocked();  // a connect waiting for room in the queue
    int64_t written = write_unix_address(*thread.process, address, length_address, accepted->peer_name);
    if (written < 0) {
        (void)sys_close(*thread.process, static_cast<uint64_t>(fd));  // as Linux: the connection is dropped
        return written;
    }
    return fd;
}

int64_t Linux_server::unix_send(Thread &thread, Open_file &file, const uint64_t *vectors, uint64_t count,
                                uint64_t flags, bool addressed)
{
    if (addressed)
        return error(file.connected ? Errno::isconn : Errno::opnotsupp);
    if (!file.connected)
        return error(Errno::notconn);
    bool nonblocking = (file.flags & o_nonblock) != 0 || (flags & msg_dontwait) != 0;
    int64_t put = file.send_pipe == nullptr ? error(Errno::pipe)  // shut down for writing
                                            : pipe_write(thread, *file.send_pipe, vectors, count, nonblocking);
    if (put == error(Errno::pipe) && (flags & msg_nosignal) == 0)
        send_thread_signal(thread, 13 /* SIGPIPE */, 0x80 /* SI_KERNEL */, 0);
    return put;
}

int64_t Linux_server::unix_receive(Thread &thread, Open_file &file, const uint64_t *vectors, uint64_t count,
                                   uint64_t flags, uint64_t address, uint64_t length_address)
{
    if (!file.connected)
        return error(Errno::inval);
    bool nonblocking = (file.flags & o_nonblock) != 0 || (flags & msg_dontwait) != 0;
    int64_t got = file.pipe == nullptr
                      ? 0  // shut down for reading: end of file
                      : pipe_read(thread, *file.pipe, vectors, count, nonblocking, (flags & msg_peek) != 0);
    if (got < 0 || address == 0)
        return got;
    int64_t written = write_unix_address(*thread.process, address, length_address, file.peer_name, true);
    return written < 0 ? written : got;
}

// how: SHUT_RD (0), SHUT_WR (1) or SHUT_RDWR (2). The peer's writes then fail with EPIPE,
// its reads reach end of file. On an unconnected socket it does nothing, as in Linux.
int64_t Linux_server::unix_shutdown(Open_file &file, uint64_t how)
{
    if (how != 1) {
        leave_pipe(file.pipe, true);
        file.pipe = nullptr;
    }
    if (how != 0) {
        leave_pipe(file.send_pipe, false);
        file.send_pipe = nullptr;
    }
    wake_blocked();  // the peer's calls that wait
    return 0;
}

int64_t Linux_server::write_unix_address(Process &process, uint64_t address, uint64_t length_address,
                                         const Unix_name *name, bool unnamed_empty)
{
    Unix_address out{};
    out.family = af_unix;
    uint32_t whole = unnamed_empty ? 0 : sizeof out.family;
    if (name != nullptr) {
        memcpy(out.path, name->path, name->length);
        whole = static_cast<uint32_t>(sizeof out.family + name->length + 1);  // with its NUL, as Linux counts
        if (whole > sizeof out)
            whole = sizeof out;
    }
    return copy_out_address(process, address, length_address, &out, whole);
}

// getsockopt's few answers; setsockopt of SOL_SOCKET is accepted and changes nothing.
int64_t Linux_server::unix_option(const Open_file &file, uint64_t level, uint64_t name, bool set, L4_Word_t &value)
{
    if (level != 1 /* SOL_SOCKET */)
        return error(Errno::opnotsupp);
    if (set)
        return 0;
    switch (name) {
    case 3:  // SO_TYPE
        value = sock_stream;
        return 0;
    case 4:  // SO_ERROR
        value = 0;
        return 0;
    case 7:  // SO_SNDBUF
    case 8:  // SO_RCVBUF
        value = Pipe::capacity;
        return 0;
    case 30:  // SO_ACCEPTCONN
        value = file.listening ? 1 : 0;
        return 0;
    case 39:  // SO_DOMAIN
        value = af_unix;
        return 0;
    default: return error(Errno::noprotoopt);
    }
}

uint32_t Linux_server::unix_events(const Open_file &file) const
{
    constexpr uint32_t pollin = 1, pollout = 4, pollhup = 0x10;
    if (file.listening)
        return file.pending != nullptr ? pollin : 0;
    if (!file.connected)
        return pollout | pollhup;  // as Linux reports an unconnected stream socket
    bool read_done = file.pipe == nullptr || file.pipe->writers == 0;
    bool write_done = file.send_pipe == nullptr || file.send_pipe->readers == 0;
    return (read_done || file.pipe->used() > 0 ? pollin : 0) |
           (write_done || file.send_pipe->room() > 0 ? pollout : 0) | (read_done && write_done ? pollhup : 0);
}

// The last reference went: the peer sees end of file and EPIPE; connections never accepted
// are closed (their clients see the same); the name goes with its last user.
void Linux_server::close_unix_socket(Open_file &file)
{
    leave_pipe(file.pipe, true);
    leave_pipe(file.send_pipe, false);
    while (Open_file *queued = file.pending) {
        file.pending = queued->pending;
        drop_file(queued);
    }
    release_name(file.name);
    release_name(file.peer_name);
}
