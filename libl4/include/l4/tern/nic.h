// SPDX-License-Identifier: MIT
// libl4, Tern extension: the network card driver's protocol (servers/nic, docs/network.md).
// The driver's buffers are shared, not copied: ATTACH maps the receive buffers (read-only)
// and the transmit buffers (read-write) into its one client, the network server; frames
// then travel as buffer numbers and lengths. A buffer is TERN_NIC_BUFFER_BYTES; its frame
// (Ethernet, without the FCS) starts TERN_NIC_FRAME_OFFSET bytes in.
//
//   message (label)      words                            answer
//   TERN_NIC_ATTACH      -                                a reply (status in the label):
//   (client -> driver)                                    MR1 MAC (bytes 0-5, little-endian),
//                                                         MR2 receive buffers, MR3 transmit
//                                                         buffers; map items of the receive
//                                                         area, then the transmit area (the
//                                                         client's acceptor says where)
//   TERN_NIC_EXCHANGE    MR1 r, MR2 t, then r receive     none: a message, not a call
//   (client -> driver)   buffers the client is done
//                        with, then t frames to send
//                        (buffer | length << 16)
//   TERN_NIC_FRAMES      MR1 n, MR2 f, then n received    none: a message, not a call
//   (driver -> client)   frames (buffer | length << 16),
//                        then f transmit buffers the
//                        card is done with
//
// The client owns a receive buffer from the message that names it until it releases it,
// and a transmit buffer from when it is done (ATTACH: all) until it sends it. The driver
// runs at a lower priority than its client and never waits for it: it sends FRAMES with a
// zero send timeout, together with its own wait, when the card received frames or half of
// the transmit buffers are done; a client that was busy is offered them again after the
// driver's next message and every 10 ms, and a client found gone when FRAMES is sent (no
// such thread) is detached: its buffers go back to the card and another may attach. The client
// sends EXCHANGE with a send timeout (a second at most): a busy driver receives it as soon
// as it waits, and, being of the lower priority, acts on it when the client waits, before
// the client's own clients run. Releases alone may wait for a batch. Bad numbers (a buffer
// the client does not own, a length over TERN_NIC_MAX_FRAME or below 14) are dropped and
// counted; EXCHANGE from another thread is answered TERN_STATUS denied (zero timeout).
#ifndef L4_TERN_NIC_H
#define L4_TERN_NIC_H

#include <l4/tern/protocol.h>

#define TERN_NIC_ATTACH 0x7e50UL
#define TERN_NIC_EXCHANGE 0x7e51UL
#define TERN_NIC_FRAMES 0x7e52UL

#define TERN_NIC_BUFFER_BYTES 2048UL
#define TERN_NIC_FRAME_OFFSET 10UL // the virtio-net header the card reads and writes first
#define TERN_NIC_MAX_FRAME 1514UL
#define TERN_NIC_AREA_LOG2 17      // each area: 64 buffers
#define TERN_NIC_BUFFERS 64UL
// An EXCHANGE or FRAMES message: 2 counts, then at most this many buffers of both kinds.
#define TERN_NIC_MAX_ITEMS 60UL

#endif
