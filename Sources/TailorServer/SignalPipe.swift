#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGTERM, SIGINT and SIGHUP into bytes on a pipe (the self-pipe trick),
/// so the server's `poll(2)` wakes for them and handles them between lines.
///
/// `tailor serve` installs it before it opens the rules file: a signal that
/// arrives while rules load waits on the pipe and is handled when the load ends.
package enum SignalPipe {
  // Written once, before the handlers are installed; read by the handler.
  nonisolated(unsafe) private static var writeEnd: Int32 = -1
  // Set once by the first `install()`, on the thread that starts serving.
  nonisolated(unsafe) private static var readEnd: Int32 = -1

  /// Installs the handlers (on the first call) and returns the pipe's read end.
  ///
  /// SIGPIPE is ignored so that a closed output is an error from write(2), not a crash.
  package static func install() -> Int32 {
    if readEnd >= 0 { return readEnd }
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
    readEnd = ends[0]
    return ends[0]
  }
}
