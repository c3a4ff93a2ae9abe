import Tailor

/// Messages for people, on stderr.
///
/// stdout carries only protocol lines and command output.
package enum Log {
  /// `tailor: message`.
  package static func info(_ message: String) { write("tailor: " + message) }

  /// `tailor: error: message`.
  package static func error(_ message: String) { write("tailor: error: " + message) }

  // swift-format-ignore: NeverForceUnwrap
  // The text ends with a newline, so it is not empty and has a base address.
  /// Writes one line to stderr as is.
  package static func write(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.withUTF8 { bytes in
      var offset = 0
      while offset < bytes.count {
        let written = System.writeBytes(2, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if System.lastError == System.interrupted { continue }
          return
        }
        offset += written
      }
    }
  }

  /// The current `errno` as lower-case text.
  package static func describeErrno() -> String { System.describeLastError() }
}
