// SPDX-License-Identifier: MIT
// BSD sockets under Tern's Linux personality (LXN0001), over the loopback 127.0.0.1 and
// AF_UNIX paths under /tmp only: TCP's socket, bind, listen, accept4 with its flags,
// connect, the read and write, send and recv, sendto and recvfrom, sendmsg and recvmsg
// calls, the addresses getsockname and getpeername give, 1 MiB each way byte for byte with
// a forked peer, shutdown(SHUT_WR), a peer's close (end of file, then EPIPE), refused and
// non-blocking connects, EAGAIN of non-blocking calls, socket options, EADDRINUSE and a
// backlog of two; UDP's addresses, message boundaries, connected sockets and truncation;
// AF_UNIX stream sockets (socketpair, a path, 256 KiB, a peer's close); poll and select
// over pipes and sockets together; Linux's errors for bad families, lengths, pointers and
// descriptors. Every port is 0 at bind (getsockname says which), so runs never collide.
// One TAP line per check; the exit status is the number that failed. It passes on Linux
// too (musl-gcc -static).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { wait_ms = 2000, mib = 1024 * 1024, unix_bytes = 256 * 1024 };

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

// Waits for a child for at most 30 s (then kills it), so that a hang is a failure, not a stall.
static int reap(pid_t child, int *status)
{
    for (int i = 0; i < 3000; ++i) {
        pid_t got = waitpid(child, status, WNOHANG);
        if (got == child)
            return 1;
        if (got < 0)
            return 0;
        pause_ms(10);
    }
    kill(child, SIGKILL);
    waitpid(child, status, 0);
    return 0;
}

// The child's exit status, or -1 if it did not exit by itself.
static int child_code(pid_t child)
{
    int status = 0;
    if (child < 0 || !reap(child, &status) || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

// The events of fd that are ready within wait_ms, or 0.
static short ready(int fd, short events)
{
    struct pollfd entry = {fd, events, 0};
    if (poll(&entry, 1, wait_ms) != 1)
        return 0;
    return entry.revents;
}

// One read once fd is readable; -2 if it is not within wait_ms.
static ssize_t read_within(int fd, void *buffer, size_t size)
{
    if (!(ready(fd, POLLIN) & (POLLIN | POLLHUP | POLLERR)))
        return -2;
    return read(fd, buffer, size);
}

// Reads size bytes, however they come, never waiting more than wait_ms for the next; the count read.
static size_t read_exact(int fd, void *buffer, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t got = read_within(fd, (char *)buffer + done, size - done);
        if (got <= 0)
            break;
        done += (size_t)got;
    }
    return done;
}

static size_t write_all(int fd, const void *buffer, size_t size)
{
    size_t done = 0;
    while (done < size) {
        if (!(ready(fd, POLLOUT) & POLLOUT))
            break;
        ssize_t put = write(fd, (const char *)buffer + done, size - done);
        if (put <= 0)
            break;
        done += (size_t)put;
    }
    return done;
}

// A byte pattern that does not repeat every 256 bytes, so a lost or doubled block shows.
static void fill_pattern(unsigned char *buffer, size_t size, unsigned seed)
{
    for (size_t i = 0; i < size; ++i)
        buffer[i] = (unsigned char)((i * 7) ^ (i >> 8) ^ (i >> 16) ^ seed);
}

static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

static int same_address(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
    return a->sin_family == AF_INET && b->sin_family == AF_INET && a->sin_port == b->sin_port &&
           a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static int name_of(int fd, struct sockaddr_in *name)
{
    socklen_t length = sizeof *name;
    memset(name, 0, sizeof *name);
    return getsockname(fd, (struct sockaddr *)name, &length) == 0 && length == sizeof *name;
}

static int peer_of(int fd, struct sockaddr_in *name)
{
    socklen_t length = sizeof *name;
    memset(name, 0, sizeof *name);
    return getpeername(fd, (struct sockaddr *)name, &length) == 0 && length == sizeof *name;
}

// A socket bound to 127.0.0.1 at a port of the system's choosing, which *name tells; -1 on failure.
static int bound_socket(int type, struct sockaddr_in *name)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in any_port = loopback(0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&any_port, sizeof any_port) != 0 || !name_of(fd, name)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_listener(struct sockaddr_in *name, int backlog)
{
    int fd = bound_socket(SOCK_STREAM, name);
    if (fd >= 0 && listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_connect(const struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)to, sizeof *to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// The accept of a connection that is pending or about to be, without blocking for good.
static int accept_within(int listener, int flags)
{
    if (!(ready(listener, POLLIN) & POLLIN))
        return -1;
    return accept4(listener, NULL, NULL, flags);
}

// Two connected TCP sockets; 0 if it could not make them.
static int tcp_pair(int *client, int *server)
{
    struct sockaddr_in name;
    int listener = tcp_listener(&name, 1);
    *client = *server = -1;
    if (listener < 0)
        return 0;
    *client = tcp_connect(&name);
    if (*client >= 0)
        *server = accept_within(listener, 0);
    close(listener);
    if (*server < 0) {
        if (*client >= 0)
            close(*client);
        *client = -1;
        return 0;
    }
    return 1;
}

// --- TCP: reads after a short read never hide the end of the stream or peeked bytes (the
// personality remembers which sockets are empty: docs/network.md)

static void tcp_short_reads(void)
{
    int client, server;
    char buffer[4096];
    if (!tcp_pair(&client, &server)) {
        check(0, "a connection for the short reads");
        check(0, "a second connection for the short reads");
        return;
    }
    int closed = write(client, "hello", 5) == 5 && close(client) == 0;
    pause_ms(200);  // the bytes and the end of the stream both arrive before the reader looks
    ssize_t first = read(server, buffer, sizeof buffer);
    int flags = fcntl(server, F_GETFL);
    ssize_t second = fcntl(server, F_SETFL, flags | O_NONBLOCK) == 0 ? read(server, buffer, sizeof buffer) : -3;
    check(closed && first == 5 && second == 0,
          "5 bytes and the peer's close before the first read: a 4 KiB read gives the 5, the next read 0 (end of file), "
          "not EAGAIN");
    close(server);
    if (!tcp_pair(&client, &server)) {
        check(0, "a second connection for the short reads");
        return;
    }
    int sent = write(client, "peeked", 6) == 6;
    pause_ms(100);
    ssize_t peeked = recv(server, buffer, sizeof buffer, MSG_PEEK);
    flags = fcntl(server, F_GETFL);
    ssize_t taken = fcntl(server, F_SETFL, flags | O_NONBLOCK) == 0 ? read(server, buffer, sizeof buffer) : -3;
    check(sent && peeked == 6 && taken == 6 && memcmp(buffer, "peeked", 6) == 0,
          "MSG_PEEK of 6 bytes with room for 4 KiB leaves them: a non-blocking read then takes the 6");
    close(client);
    close(server);
}

// --- TCP: the calls of a connection

static void tcp_calls(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in any_port = loopback(0), listener_name;
    check(listener >= 0 && bind(listener, (struct sockaddr *)&any_port, sizeof any_port) == 0 &&
              listen(listener, 4) == 0,
          "socket(AF_INET, SOCK_STREAM, 0), bind to 127.0.0.1 port 0, listen");
    check(name_of(listener, &listener_name) && listener_name.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
              listener_name.sin_port != 0,
          "getsockname gives 127.0.0.1 and the port the system chose");
    int client = tcp_connect(&listener_name);
    check(client >= 0, "connect to the listening port");

    struct sockaddr_in accepted_peer, client_name, peer;
    socklen_t length = sizeof accepted_peer;
    memset(&accepted_peer, 0, sizeof accepted_peer);
    int server = -1;
    if (ready(listener, POLLIN) & POLLIN)
        server = accept4(listener, (struct sockaddr *)&accepted_peer, &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
    check(server >= 0 && (fcntl(server, F_GETFD) & FD_CLOEXEC) && (fcntl(server, F_GETFL) & O_NONBLOCK),
          "accept4 with SOCK_CLOEXEC | SOCK_NONBLOCK: the new socket has both");
    check(server >= 0 && name_of(client, &client_name) && length == sizeof accepted_peer &&
              same_address(&accepted_peer, &client_name),
          "... and the address accept4 gives is the client's getsockname");
    struct sockaddr_in server_name;
    check(peer_of(client, &peer) && same_address(&peer, &listener_name) && server >= 0 &&
              name_of(server, &server_name) && same_address(&server_name, &listener_name) && peer_of(server, &peer) &&
              same_address(&peer, &client_name),
          "the client's getpeername and the accepted socket's getsockname are the listener's address, the "
          "accepted socket's getpeername the client's");
    if (server < 0 || client < 0) {
        close(listener);
        return;
    }
    fcntl(server, F_SETFL, fcntl(server, F_GETFL) & ~O_NONBLOCK);

    char buffer[64] = {0};
    check(!(fcntl(server, F_GETFL) & O_NONBLOCK) && write(client, "hello", 5) == 5 &&
              read_exact(server, buffer, 5) == 5 && memcmp(buffer, "hello", 5) == 0,
          "write on one side, read on the other (O_NONBLOCK cleared by fcntl F_SETFL)");
    memset(buffer, 0, sizeof buffer);
    check(send(server, "reply", 5, 0) == 5 && ready(client, POLLIN) && recv(client, buffer, sizeof buffer, 0) == 5 &&
              memcmp(buffer, "reply", 5) == 0,
          "send and recv, the other way");
    memset(buffer, 0, sizeof buffer);
    check(sendto(client, "to", 2, 0, NULL, 0) == 2 && ready(server, POLLIN) &&
              recvfrom(server, buffer, sizeof buffer, 0, NULL, NULL) == 2 && memcmp(buffer, "to", 2) == 0,
          "sendto and recvfrom without an address on a connected socket");

    struct iovec out[2] = {{"abc", 3}, {"defgh", 5}};
    struct msghdr message = {.msg_iov = out, .msg_iovlen = 2};
    check(sendmsg(client, &message, 0) == 8, "sendmsg of two iovecs sends both");
    char first[4] = {0}, second[4] = {0};
    struct iovec in[2] = {{first, 4}, {second, 4}};
    struct msghdr received = {.msg_iov = in, .msg_iovlen = 2};
    check(ready(server, POLLIN) && recvmsg(server, &received, MSG_WAITALL) == 8 && memcmp(first, "abcd", 4) == 0 &&
              memcmp(second, "efgh", 4) == 0,
          "recvmsg (MSG_WAITALL) into two iovecs fills the first, then the second");

    int flags = fcntl(client, F_GETFL);
    fcntl(client, F_SETFL, flags | O_NONBLOCK);
    errno = 0;
    check(recv(client, buffer, sizeof buffer, 0) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "recv of a non-blocking socket without data is EAGAIN");
    fcntl(client, F_SETFL, flags);
    errno = 0;
    check(recv(client, buffer, sizeof buffer, MSG_DONTWAIT) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "recv with MSG_DONTWAIT of a blocking socket without data is EAGAIN");
    close(server);
    close(client);
    close(listener);
}

// --- TCP: 1 MiB each way, shutdown(SHUT_WR), a peer's close

static void tcp_transfer(void)
{
    unsigned char *out = malloc(mib), *in = malloc(mib);
    int client, server;
    if (!out || !in || !tcp_pair(&client, &server)) {
        check(0, "1 MiB from a forked peer arrives byte for byte");
        free(out);
        free(in);
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        close(client);
        int code = 0;
        fill_pattern(out, mib, 1);
        write_all(server, out, mib);  // checked by what the parent reads
        fill_pattern(out, mib, 2);
        if (read_exact(server, in, mib) != mib || memcmp(in, out, mib) != 0)
            code |= 2;
        errno = 0;
        if (shutdown(server, SHUT_WR) != 0 || write(server, "x", 1) != -1 || errno != EPIPE)
            code |= 4;
        char word[5];
        if (read_exact(server, word, 5) != 5 || memcmp(word, "after", 5) != 0)
            code |= 8;
        _exit(code);
    }
    close(server);
    fill_pattern(out, mib, 1);
    check(read_exact(client, in, mib) == mib && memcmp(in, out, mib) == 0,
          "1 MiB from a forked peer arrives byte for byte");
    fill_pattern(out, mib, 2);
    size_t written = write_all(client, out, mib);
    char byte;
    check(read_within(client, &byte, 1) == 0, "after the peer's shutdown(SHUT_WR), read returns 0 (end of file)");
    check(write(client, "after", 5) == 5, "... and writing the other way still works");
    int code = child_code(child);
    check(written == mib && code >= 0 && !(code & 2), "1 MiB to the peer arrives byte for byte");
    check(code >= 0 && !(code & 4), "the peer's write after its own shutdown(SHUT_WR) is EPIPE");
    check(code >= 0 && !(code & 8), "the peer read what was sent after its shutdown(SHUT_WR)");
    close(client);
    free(out);
    free(in);
}

static void tcp_peer_close(void)
{
    int client, server;
    if (!tcp_pair(&client, &server)) {
        check(0, "after the peer's close, read returns 0");
        return;
    }
    close(server);  // nothing unread in it, so it sends FIN, not RST
    char byte;
    check(read_within(client, &byte, 1) == 0, "after the peer's close, read returns 0");
    // The first write may succeed; the peer's answer to it (RST) makes a later one fail.
    ssize_t put = 0;
    errno = 0;
    for (int i = 0; i < 100 && put >= 0; ++i) {
        put = write(client, "x", 1);
        if (put >= 0)
            pause_ms(20);
    }
    check(put == -1 && errno == EPIPE, "... then write fails with EPIPE (SIGPIPE ignored)");
    close(client);
}

// --- TCP: connects, accepts, options, addresses in use

static void tcp_connects(void)
{
    // A port bound but not listening: nobody accepts there, and no other program takes it meanwhile.
    struct sockaddr_in closed_name;
    int closed = bound_socket(SOCK_STREAM, &closed_name);
    int refused = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    check(closed >= 0 && refused >= 0 && connect(refused, (struct sockaddr *)&closed_name, sizeof closed_name) == -1 &&
              errno == ECONNREFUSED,
          "connect to a port nobody listens on is ECONNREFUSED");
    close(refused);
    close(closed);

    struct sockaddr_in name;
    int listener = tcp_listener(&name, 2);
    fcntl(listener, F_SETFL, O_NONBLOCK);
    errno = 0;
    check(listener >= 0 && accept4(listener, NULL, NULL, 0) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "accept of a non-blocking listener with nothing pending is EAGAIN");

    int connecting = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int result = connect(connecting, (struct sockaddr *)&name, sizeof name);
    int started = connecting >= 0 && (result == 0 || errno == EINPROGRESS);
    int error = -1;
    socklen_t length = sizeof error;
    check(started && (ready(connecting, POLLOUT) & POLLOUT) &&
              getsockopt(connecting, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0,
          "connect of a non-blocking socket is 0 or EINPROGRESS, then it polls POLLOUT and SO_ERROR is 0");
    int accepted = accept_within(listener, 0);
    struct sockaddr_in connecting_name, accepted_peer;
    check(accepted >= 0 && name_of(connecting, &connecting_name) && peer_of(accepted, &accepted_peer) &&
              same_address(&connecting_name, &accepted_peer),
          "... and the listener accepts it");
    close(accepted);
    close(connecting);
    close(listener);

    // Two connections wait in a backlog of two before either is accepted.
    listener = tcp_listener(&name, 2);
    int first = tcp_connect(&name), second = tcp_connect(&name);
    check(first >= 0 && second >= 0, "two connects to a listener with a backlog of 2 complete before any accept");
    struct sockaddr_in first_name, second_name, peer_a, peer_b;
    int a = accept_within(listener, 0), b = accept_within(listener, 0);
    int each = a >= 0 && b >= 0 && name_of(first, &first_name) && name_of(second, &second_name) &&
               peer_of(a, &peer_a) && peer_of(b, &peer_b) &&
               ((same_address(&peer_a, &first_name) && same_address(&peer_b, &second_name)) ||
                (same_address(&peer_a, &second_name) && same_address(&peer_b, &first_name)));
    char buffer[4] = {0};
    check(each && write(second, "two", 3) == 3 && write(first, "one", 3) == 3 &&
              read_exact(same_address(&peer_a, &first_name) ? a : b, buffer, 3) == 3 && memcmp(buffer, "one", 3) == 0,
          "... then two accepts give one socket for each client, which carries that client's bytes");
    close(a);
    close(b);
    close(first);
    close(second);
    close(listener);
}

static int option(int fd, int level, int name, int *value)
{
    socklen_t length = sizeof *value;
    *value = -1;
    return getsockopt(fd, level, name, value, &length) == 0 && length == sizeof *value;
}

static void tcp_options(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, value;
    check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
              option(fd, SOL_SOCKET, SO_REUSEADDR, &value) && value != 0,
          "SO_REUSEADDR set reads back on");
    check(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 &&
              option(fd, IPPROTO_TCP, TCP_NODELAY, &value) && value != 0,
          "TCP_NODELAY set reads back on");
    check(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0 &&
              option(fd, SOL_SOCKET, SO_KEEPALIVE, &value) && value != 0,
          "SO_KEEPALIVE set reads back on");
    int receive, send_size;
    check(option(fd, SOL_SOCKET, SO_RCVBUF, &receive) && receive > 0 && option(fd, SOL_SOCKET, SO_SNDBUF, &send_size) &&
              send_size > 0,
          "SO_RCVBUF and SO_SNDBUF read as sizes above 0");
    check(option(fd, SOL_SOCKET, SO_TYPE, &value) && value == SOCK_STREAM, "SO_TYPE of a TCP socket is SOCK_STREAM");
    close(fd);

    struct sockaddr_in name;
    int listener = tcp_listener(&name, 1);
    int other = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    check(listener >= 0 && other >= 0 && bind(other, (struct sockaddr *)&name, sizeof name) == -1 &&
              errno == EADDRINUSE,
          "bind to the port of a listening socket is EADDRINUSE");
    close(other);
    close(listener);
}

// --- UDP

static void udp(void)
{
    struct sockaddr_in a_name, b_name, c_name, from;
    int a = bound_socket(SOCK_DGRAM, &a_name), b = bound_socket(SOCK_DGRAM, &b_name);
    int c = bound_socket(SOCK_DGRAM, &c_name);
    int type;
    check(a >= 0 && b >= 0 && c >= 0 && a_name.sin_port != b_name.sin_port && option(a, SOL_SOCKET, SO_TYPE, &type) &&
              type == SOCK_DGRAM,
          "three UDP sockets bound to 127.0.0.1, each at a port of its own; SO_TYPE is SOCK_DGRAM");
    if (a < 0 || b < 0 || c < 0)
        return;
    char buffer[2048] = {0};
    socklen_t length = sizeof from;
    check(sendto(a, "ping", 4, 0, (struct sockaddr *)&b_name, sizeof b_name) == 4 && ready(b, POLLIN) &&
              recvfrom(b, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length) == 4 &&
              memcmp(buffer, "ping", 4) == 0 && length == sizeof from && same_address(&from, &a_name),
          "sendto, and recvfrom gives the datagram and the sender's address");

    char big[100];
    memset(big, 'B', sizeof big);
    sendto(a, big, sizeof big, 0, (struct sockaddr *)&b_name, sizeof b_name);
    sendto(a, "small", 5, 0, (struct sockaddr *)&b_name, sizeof b_name);
    ssize_t first = ready(b, POLLIN) ? recv(b, buffer, sizeof buffer, 0) : -2;
    int first_right = first == (ssize_t)sizeof big && memcmp(buffer, big, sizeof big) == 0;
    ssize_t second = ready(b, POLLIN) ? recv(b, buffer, sizeof buffer, 0) : -2;
    check(first_right && second == 5 && memcmp(buffer, "small", 5) == 0,
          "two datagrams of 100 and 5 bytes are read as two, whole");

    struct sockaddr_in peer;
    check(connect(a, (struct sockaddr *)&b_name, sizeof b_name) == 0 && peer_of(a, &peer) &&
              same_address(&peer, &b_name),
          "connect of a UDP socket, and getpeername gives the address connected to");
    length = sizeof from;
    check(send(a, "joined", 6, 0) == 6 && ready(b, POLLIN) &&
              recvfrom(b, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length) == 6 &&
              memcmp(buffer, "joined", 6) == 0 && same_address(&from, &a_name),
          "send without an address goes to the connected peer");
    // A connected UDP socket takes datagrams from its peer only: c's, sent first, is not received.
    sendto(c, "stranger", 8, 0, (struct sockaddr *)&a_name, sizeof a_name);
    sendto(b, "peer", 4, 0, (struct sockaddr *)&a_name, sizeof a_name);
    memset(buffer, 0, sizeof buffer);
    check(ready(a, POLLIN) && recv(a, buffer, sizeof buffer, 0) == 4 && memcmp(buffer, "peer", 4) == 0,
          "recv of a connected UDP socket gives its peer's datagram, not another sender's");
    errno = 0;
    check(recv(a, buffer, sizeof buffer, MSG_DONTWAIT) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "recv with MSG_DONTWAIT of an empty UDP socket is EAGAIN");

    char long_one[64];
    fill_pattern((unsigned char *)long_one, sizeof long_one, 3);
    sendto(b, long_one, sizeof long_one, 0, (struct sockaddr *)&a_name, sizeof a_name);
    char small[8] = {0};
    int cut = ready(a, POLLIN) && recv(a, small, sizeof small, 0) == 8 && memcmp(small, long_one, 8) == 0;
    errno = 0;
    check(cut && recv(a, buffer, sizeof buffer, MSG_DONTWAIT) == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "a 64-byte datagram read into 8 bytes: recv returns 8, its first 8, and the rest is gone");
    sendto(b, long_one, sizeof long_one, 0, (struct sockaddr *)&a_name, sizeof a_name);
    struct iovec part = {small, sizeof small};
    struct msghdr message = {.msg_iov = &part, .msg_iovlen = 1};
    check(ready(a, POLLIN) && recvmsg(a, &message, 0) == 8 && (message.msg_flags & MSG_TRUNC),
          "recvmsg of a datagram cut short sets MSG_TRUNC");
    close(a);
    close(b);
    close(c);
}

// --- AF_UNIX stream sockets

static int unix_address(struct sockaddr_un *address, const char *path)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    snprintf(address->sun_path, sizeof address->sun_path, "%s", path);
    return (int)sizeof *address;
}

static void unix_streams(void)
{
    int pair[2];
    char buffer[16] = {0};
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0 && write(pair[0], "left", 4) == 4 &&
              read_exact(pair[1], buffer, 4) == 4 && memcmp(buffer, "left", 4) == 0 &&
              write(pair[1], "right", 5) == 5 && read_exact(pair[0], buffer, 5) == 5 && memcmp(buffer, "right", 5) == 0,
          "socketpair(AF_UNIX, SOCK_STREAM) carries bytes both ways");
    close(pair[0]);
    close(pair[1]);

    char path[64], missing[64];
    snprintf(path, sizeof path, "/tmp/tern-sockets-%d.sock", (int)getpid());
    snprintf(missing, sizeof missing, "/tmp/tern-sockets-%d.missing", (int)getpid());
    unlink(path);
    unlink(missing);
    struct sockaddr_un address, name;
    socklen_t size = (socklen_t)unix_address(&address, path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    socklen_t length = sizeof name;
    memset(&name, 0, sizeof name);
    check(listener >= 0 && bind(listener, (struct sockaddr *)&address, size) == 0 && listen(listener, 1) == 0 &&
              getsockname(listener, (struct sockaddr *)&name, &length) == 0 && name.sun_family == AF_UNIX &&
              strcmp(name.sun_path, path) == 0,
          "bind and listen of an AF_UNIX socket at a path under /tmp, and getsockname gives the path");
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    errno = 0;
    check(bind(other, (struct sockaddr *)&address, size) == -1 && errno == EADDRINUSE,
          "bind to a path that exists is EADDRINUSE");
    struct sockaddr_un nowhere;
    socklen_t nowhere_size = (socklen_t)unix_address(&nowhere, missing);
    errno = 0;
    check(connect(other, (struct sockaddr *)&nowhere, nowhere_size) == -1 && errno == ENOENT,
          "connect to a missing path is ENOENT");
    close(other);

    unsigned char *out = malloc(unix_bytes), *in = malloc(unix_bytes);
    if (!out || !in || listener < 0) {
        check(0, "a forked peer connects to the path");
        free(out);
        free(in);
        close(listener);
        unlink(path);
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        int code = 0;
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&address, size) != 0)
            _exit(1);  // the parent's accept fails
        length = sizeof name;
        memset(&name, 0, sizeof name);
        if (getpeername(fd, (struct sockaddr *)&name, &length) != 0 || strcmp(name.sun_path, path) != 0)
            code |= 2;
        fill_pattern(out, unix_bytes, 4);
        if (write_all(fd, out, unix_bytes) != unix_bytes)
            code |= 4;
        if (read_exact(fd, buffer, 4) != 4 || memcmp(buffer, "back", 4) != 0)
            code |= 8;
        _exit(code);  // closes fd
    }
    int server = accept_within(listener, 0);
    check(server >= 0, "a forked peer connects to the path, and accept takes it");
    fill_pattern(out, unix_bytes, 4);
    check(read_exact(server, in, unix_bytes) == unix_bytes && memcmp(in, out, unix_bytes) == 0,
          "256 KiB from the peer arrive byte for byte");
    ssize_t back = write(server, "back", 4);
    char byte;
    check(read_within(server, &byte, 1) == 0, "after the peer's close, read returns 0");
    errno = 0;
    check(write(server, "x", 1) == -1 && errno == EPIPE, "... and write fails with EPIPE");
    int code = child_code(child);
    check(code >= 0 && !(code & 2), "the peer's getpeername gives the path");
    check(back == 4 && code >= 0 && !(code & 12), "the peer wrote its 256 KiB and read the answer");
    close(server);
    close(listener);
    check(unlink(path) == 0, "the socket's path is a file that unlink removes");
    free(out);
    free(in);
}

// --- poll and select over pipes and sockets together

static void polls_and_selects(void)
{
    int pipe_ends[2], client, server;
    struct sockaddr_in udp_name;
    int datagrams = bound_socket(SOCK_DGRAM, &udp_name);
    if (pipe(pipe_ends) != 0 || !tcp_pair(&client, &server) || datagrams < 0) {
        check(0, "poll over a pipe, a TCP and a UDP socket");
        return;
    }
    struct pollfd entries[3] = {
        {pipe_ends[0], POLLIN, 0}, {server, POLLIN | POLLOUT, 0}, {datagrams, POLLIN | POLLOUT, 0}};
    check(poll(entries, 3, 0) == 2 && entries[0].revents == 0 && entries[1].revents == POLLOUT &&
              entries[2].revents == POLLOUT,
          "poll of a pipe, a TCP and a UDP socket, none with data: the sockets are writable only");

    // Data in one of the three at a time: poll reports POLLIN on that one only.
    const char *names[3] = {"the pipe", "the TCP socket", "the UDP socket"};
    for (int with_data = 0; with_data < 3; ++with_data) {
        char buffer[8];
        if (with_data == 0)
            write(pipe_ends[1], "p", 1);
        else if (with_data == 1)
            write(client, "t", 1);
        else
            sendto(datagrams, "u", 1, 0, (struct sockaddr *)&udp_name, sizeof udp_name);
        ready(entries[with_data].fd, POLLIN);  // the data may travel a while
        for (int i = 0; i < 3; ++i)
            entries[i].revents = -1;
        int count = poll(entries, 3, 0);
        int right = count == (with_data == 0 ? 3 : 2);  // the pipe's read end is never writable
        for (int i = 0; i < 3; ++i) {
            short expected = (short)((i == with_data ? POLLIN : 0) | (i == 0 ? 0 : POLLOUT));
            right = right && entries[i].revents == expected;
        }
        char what[96];
        snprintf(what, sizeof what, "with data in %s only, poll reports POLLIN there and nowhere else",
                 names[with_data]);
        check(right, what);
        read(entries[with_data].fd, buffer, sizeof buffer);
    }

    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(server, &readable);
    FD_SET(pipe_ends[0], &readable);
    struct timeval none = {0, 0};
    int top = (server > pipe_ends[0] ? server : pipe_ends[0]) + 1;
    check(select(top, &readable, NULL, NULL, &none) == 0 && !FD_ISSET(server, &readable) &&
              !FD_ISSET(pipe_ends[0], &readable),
          "select over a socket and a pipe without data times out with both cleared");
    write(client, "s", 1);
    ready(server, POLLIN);
    FD_ZERO(&readable);
    FD_SET(server, &readable);
    FD_SET(pipe_ends[0], &readable);
    struct timeval two_seconds = {2, 0};
    check(select(top, &readable, NULL, NULL, &two_seconds) == 1 && FD_ISSET(server, &readable) &&
              !FD_ISSET(pipe_ends[0], &readable),
          "select with data in the socket only: the socket is readable, the pipe is not");
    write(pipe_ends[1], "q", 1);
    FD_ZERO(&readable);
    FD_SET(server, &readable);
    FD_SET(pipe_ends[0], &readable);
    two_seconds.tv_sec = 2;
    two_seconds.tv_usec = 0;
    check(select(top, &readable, NULL, NULL, &two_seconds) == 2 && FD_ISSET(server, &readable) &&
              FD_ISSET(pipe_ends[0], &readable),
          "... and with data in both, both are");

    struct sockaddr_in name;
    int listener = tcp_listener(&name, 1);
    struct pollfd waiting = {listener, POLLIN, 0};
    int idle = listener >= 0 && poll(&waiting, 1, 0) == 0;
    int caller = tcp_connect(&name);
    check(idle && caller >= 0 && (ready(listener, POLLIN) & POLLIN),
          "a listening socket is not readable with nothing pending, and is (POLLIN) when a connection waits");
    close(caller);
    close(listener);

    char buffer[8];
    read(server, buffer, sizeof buffer);  // leaves nothing unread, so the close is a FIN
    close(server);
    short events = ready(client, POLLIN);
    check((events & (POLLIN | POLLHUP)) && read(client, buffer, 1) == 0,
          "after the peer's close, poll reports POLLIN or POLLHUP and read returns 0");
    close(client);
    close(datagrams);
    close(pipe_ends[0]);
    close(pipe_ends[1]);
}

// --- errors for bad input

static void bad_input(void)
{
    errno = 0;
    check(socket(12345, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT, "socket of family 12345 is EAFNOSUPPORT");
    errno = 0;
    check(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP) == -1 && errno == EPROTONOSUPPORT,
          "socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP) is EPROTONOSUPPORT");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback(0);
    errno = 0;
    check(bind(fd, (struct sockaddr *)&address, 4) == -1 && errno == EINVAL,
          "bind with an address length of 4 is EINVAL");
    errno = 0;
    check(accept4(fd, NULL, NULL, 0) == -1 && errno == EINVAL, "accept on a socket that does not listen is EINVAL");
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    errno = 0;
    check(getpeername(fd, (struct sockaddr *)&peer, &length) == -1 && errno == ENOTCONN,
          "getpeername of an unconnected socket is ENOTCONN");
    errno = 0;
    check(connect(fd, (void *)1, sizeof address) == -1 && errno == EFAULT,
          "connect with the address at (void *)1 is EFAULT");
    close(fd);

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    errno = 0;
    check(listen(fd, 1) == -1 && errno == EOPNOTSUPP, "listen on a UDP socket is EOPNOTSUPP");
    close(fd);

    int pipe_ends[2];
    pipe(pipe_ends);
    length = sizeof peer;
    errno = 0;
    check(getsockname(pipe_ends[0], (struct sockaddr *)&peer, &length) == -1 && errno == ENOTSOCK,
          "getsockname of a pipe is ENOTSOCK");
    close(pipe_ends[0]);
    close(pipe_ends[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    tcp_calls();
    tcp_short_reads();
    tcp_transfer();
    tcp_peer_close();
    tcp_connects();
    tcp_options();
    udp();
    unix_streams();
    polls_and_selects();
    bad_input();
    return failures;
}
