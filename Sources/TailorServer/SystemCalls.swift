#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's `read`, `write` and `poll` under names no type of this module shadows,
/// so callers inside types with methods of those names need not name the platform's module
/// (which is `Glibc`, `Musl` or `Darwin` depending on the system).
enum SystemCalls {
  static func readBytes(
    _ descriptor: Int32,
    _ buffer: UnsafeMutableRawPointer?,
    _ count: Int
  )
    -> Int
  {
    read(descriptor, buffer, count)
  }

  static func writeBytes(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
  }

  static func pollDescriptors(
    _ descriptors: UnsafeMutablePointer<pollfd>,
    _ count: Int,
    _ timeout: Int32
  ) -> Int32 {
    poll(descriptors, nfds_t(count), timeout)
  }
}
