import Tailor

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
    guard let ends = System.makePipe() else { return -1 }
    System.makeNonBlockingAndPrivate(ends.read)
    System.makeNonBlockingAndPrivate(ends.write)
    writeEnd = ends.write
    let signals = [System.terminateSignal, System.interruptSignal, System.hangUpSignal]
    // A parent may have blocked these (a thread pool's threads block signals,
    // and children inherit the mask): unblock them, or they would never arrive.
    System.unblock(signals)
    System.handle(signals) { number in
      let saved = System.lastError
      var byte = UInt8(truncatingIfNeeded: number)
      _ = System.writeBytes(SignalPipe.writeEnd, &byte, 1)
      System.lastError = saved
    }
    System.ignoreBrokenPipe()
    readEnd = ends.read
    return ends.read
  }
}
