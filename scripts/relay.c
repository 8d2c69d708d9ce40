/* A latency relay for scripts/bench.sh: listens on COUNT ports of 127.0.0.1 and forwards each
 * connection to TARGET_PORT on 127.0.0.1, delaying every chunk DELAY_MS in each direction, so a
 * request and its answer take 2 x DELAY_MS: the round trip of a far endpoint. A chunk's delay
 * starts when it arrives, so flights overlap as on a real path; as the delay is the same for
 * every chunk, one queue in arrival order is also in the order chunks fall due. Connection
 * set-up to the relay itself is local and not delayed. One thread and epoll: at 256
 * connections at once the relay's CPU must stay small beside the prober's and the server's,
 * which share the same cores.
 *
 *   cc -O2 -o relay relay.c
 *   relay COUNT TARGET_PORT DELAY_MS PORTS_FILE SECONDS
 *
 * Writes the ports it listens on to PORTS_FILE (one a line); stops by itself after SECONDS.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* One direction of a relayed connection: what is read from `from` goes to `to`. */
struct side {
    int from, to;
    struct pair *pair;
};

/* A relayed connection; freed when both directions have ended. */
struct pair {
    struct side up, down;
    int ended;
};

/* A chunk on its way; len < 0: the reading end closed, shut the writing end. */
struct item {
    struct item *next;
    uint64_t due;
    struct side *side;
    ssize_t len;
    char data[];
};

static struct item *head, *tail;
/* Listeners are told apart from connections (pointers, bit 63 clear) by this bit. */
#define LISTENER (UINT64_C(1) << 63)

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void enqueue(struct side *side, const char *data, ssize_t len, uint64_t due) {
    struct item *item = malloc(sizeof *item + (len > 0 ? (size_t)len : 0));
    if (!item) exit(1);
    item->next = NULL, item->due = due, item->side = side, item->len = len;
    if (len > 0) memcpy(item->data, data, (size_t)len);
    if (tail) tail->next = item; else head = item;
    tail = item;
}

static void write_all(int fd, const char *data, ssize_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, (size_t)len);
        if (n > 0) {
            data += n, len -= n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, 1000) <= 0) return;
        } else {
            return; /* the peer is gone: what it misses does not matter */
        }
    }
}

static void deliver(struct item *item) {
    struct side *side = item->side;
    if (item->len > 0) {
        write_all(side->to, item->data, item->len);
        return;
    }
    shutdown(side->to, SHUT_WR);
    if (++side->pair->ended == 2) {
        close(side->pair->up.from);
        close(side->pair->down.from);
        free(side->pair);
    }
}

static int listen_local(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 512)) {
        perror("listen");
        exit(1);
    }
    return fd;
}

static int port_of(int fd) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    return ntohs(addr.sin_port);
}

static void watch(int epoll, int fd, void *ptr) {
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = ptr};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

static void accept_all(int epoll, int listener, int target_port) {
    for (;;) {
        int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (client < 0) return;
        int server = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(target_port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (server < 0 || connect(server, (struct sockaddr *)&addr, sizeof addr) != 0) {
            close(client);
            if (server >= 0) close(server);
            continue;
        }
        fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK);
        int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct pair *pair = calloc(1, sizeof *pair);
        if (!pair) exit(1);
        pair->up = (struct side){.from = client, .to = server, .pair = pair};
        pair->down = (struct side){.from = server, .to = client, .pair = pair};
        watch(epoll, client, &pair->up);
        watch(epoll, server, &pair->down);
    }
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s COUNT TARGET_PORT DELAY_MS PORTS_FILE SECONDS\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[1]), target_port = atoi(argv[2]);
    uint64_t delay = (uint64_t)atoi(argv[3]) * 1000000u, end = now_ns() + (uint64_t)atoi(argv[5]) * 1000000000u;
    int epoll = epoll_create1(0);
    FILE *ports = fopen(argv[4], "w");
    if (epoll < 0 || !ports) {
        perror("relay");
        return 1;
    }
    for (int i = 0; i < count; i++) {
        int fd = listen_local();
        fprintf(ports, "%d\n", port_of(fd));
        struct epoll_event event = {.events = EPOLLIN, .data.u64 = LISTENER | (uint64_t)fd};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
    }
    fclose(ports);
    static char buf[65536];
    struct epoll_event events[256];
    while (now_ns() < end) {
        int timeout = 1000;
        if (head) {
            uint64_t now = now_ns();
            timeout = head->due > now ? (int)((head->due - now + 999999) / 1000000) : 0;
        }
        int n = epoll_wait(epoll, events, 256, timeout);
        for (int i = 0; i < n; i++) {
            uint64_t tag = events[i].data.u64;
            if (tag & LISTENER) {
                accept_all(epoll, (int)(tag & ~LISTENER), target_port);
                continue;
            }
            struct side *side = events[i].data.ptr;
            for (;;) {
                ssize_t got = read(side->from, buf, sizeof buf);
                if (got > 0) {
                    enqueue(side, buf, got, now_ns() + delay);
                    continue;
                }
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
                /* The end of this direction (EOF, or a reset): passed on, then no more reads. */
                epoll_ctl(epoll, EPOLL_CTL_DEL, side->from, NULL);
                enqueue(side, NULL, -1, now_ns() + delay);
                break;
            }
        }
        uint64_t now = now_ns();
        while (head && head->due <= now) {
            struct item *item = head;
            head = item->next;
            if (!head) tail = NULL;
            deliver(item);
            free(item);
        }
    }
    return 0;
}
