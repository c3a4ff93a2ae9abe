#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGTERM, SIGINT and SIGHUP into bytes on a pipe (the self-pipe trick),
/// so the server's `poll(2)` wakes for them and handles them between lines.
enum SignalPipe {
  // Written once, before the handlers are installed; read by the handler.
  nonisolated(unsafe) private static var writeEnd: Int32 = -1

  /// Installs the handlers (once) and returns the pipe's read end.
  ///
  /// SIGPIPE is ignored so that a closed output is an error from write(2), not a crash.
  static func install() -> Int32 {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return -1 }
    for end in ends {
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    }
    writeEnd = ends[1]
    // A parent may have blocked these (a thread pool's threads block signals,
    // and children inherit the mask): unblock them, or they would never arrive.
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&unblocked, number) }
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    for number in [SIGTERM, SIGINT, SIGHUP] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { number in
        let saved = errno
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(SignalPipe.writeEnd, &byte, 1)
        errno = saved
      }
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(number, &action, nil)
    }
    signal(SIGPIPE, SIG_IGN)
    return ends[0]
  }
}
