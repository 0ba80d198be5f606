// SPDX-License-Identifier: MIT
// An open file description: what a file descriptor names, shared by the descriptors dup
// and fork make (so they share its offset and status flags, as in Linux).
#ifndef LINUX_OPEN_FILE_HPP
#define LINUX_OPEN_FILE_HPP

#include <stdint.h>

class Pipe;
struct Unix_name;

struct Open_file {
    enum class Kind : uint8_t {
        none, console, null, zero, urandom, pipe_read, pipe_write, inode, proc_directory, inet_socket, unix_socket
    };

    Kind kind = Kind::none;
    unsigned references = 0;   // descriptors naming it, in every process
    uint32_t flags = 0;        // open's flags: access mode, O_APPEND, O_NONBLOCK
    uint64_t offset = 0;
    Pipe *pipe = nullptr;      // pipe_read, pipe_write; unix_socket: the pipe it reads (nullptr once shut down)
    uint32_t inode = 0;        // inode (Vfs), held while the description lives
    int proc_pid = 0;          // proc_directory: /proc/PID, or /proc/PID/fd if proc_fds
    bool proc_fds = false;
    uint32_t socket = 0;         // inet_socket: the network server's number for it
    bool connecting = false;     // inet_socket: a blocking connect waits for it
    bool datagram = false;       // inet_socket: UDP (else TCP)
    // unix_socket (linux_server-unix_sockets.cpp): a connected socket reads pipe and writes
    // send_pipe, which its peer reads; a listener's connections wait for accept in pending,
    // each linking to the next through its own pending.
    Pipe *send_pipe = nullptr;   // nullptr once shut down
    Unix_name *name = nullptr;   // bound (a listener, the sockets accepted from it), or nullptr
    Unix_name *peer_name = nullptr;
    Open_file *pending = nullptr;
    bool listening = false, connected = false;
    char stream = 'O';         // console: 'O' standard output, 'E' error (./tern linux keeps them apart)
};

#endif
