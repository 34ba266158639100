/* scripts/nodelay-shim.c: sets TCP_NODELAY on every TCP socket before it connects, as libpq does
 * and as sqlx does again after 0.9.0 (transact-rs/sqlx#4336, not released yet). For measuring
 * only, through LD_PRELOAD (scripts/alembic-bench builds it with cc):
 *   cc -shared -fPIC -O2 -o nodelay.so scripts/nodelay-shim.c -ldl
 *   LD_PRELOAD=$PWD/nodelay.so ./target/debug/xtask check
 * sqlx 0.9.0 leaves Nagle's algorithm on, so during the TLS handshake with PostgreSQL each of two
 * pairs of back-to-back small writes (ChangeCipherSpec then the second ClientHello, after the
 * server's HelloRetryRequest; the client's Finished then the StartupMessage) waits for the
 * server's delayed ACK, 40 ms each on Linux. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real_connect)(int, const struct sockaddr *, socklen_t);
  if (!real_connect) real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
  if (addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return real_connect(fd, addr, len);
}
