/// Reads whole files without Foundation.
enum FileReader {
  /// The file's bytes, or an error message such as `no such file or directory`.
  static func read(_ path: String) -> Result<[UInt8], FileError> {
    let descriptor = System.openForReading(path)
    guard descriptor >= 0 else { return .failure(FileError(message: System.describeLastError())) }
    defer { System.closeDescriptor(descriptor) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes {
        System.readBytes(descriptor, $0.baseAddress, $0.count)
      }
      if count < 0 {
        if System.lastError == System.interrupted { continue }
        return .failure(FileError(message: System.describeLastError()))
      }
      if count == 0 { break }
      result.append(contentsOf: chunk[0..<count])
    }
    return .success(result)
  }

  struct FileError: Error {
    var message: String
  }
}
