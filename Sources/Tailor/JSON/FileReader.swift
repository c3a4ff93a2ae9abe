#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files without Foundation.
enum FileReader {
  /// The file's bytes, or an error message such as `no such file or directory`.
  static func read(_ path: String) -> Result<[UInt8], FileError> {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return .failure(FileError(message: describeErrno())) }
    defer { close(descriptor) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .failure(FileError(message: describeErrno()))
      }
      if count == 0 { break }
      result.append(contentsOf: chunk[0..<count])
    }
    return .success(result)
  }

  struct FileError: Error {
    var message: String
  }

  private static func describeErrno() -> String {
    guard let text = strerror(errno) else { return "error \(errno)" }
    return String(cString: text).lowercased()
  }
}

/// The C library's `read` at file scope, where `FileReader.read` does not shadow it (so the
/// call need not name the platform's module: `Glibc`, `Musl` or `Darwin`).
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int
{
  read(descriptor, buffer, count)
}
