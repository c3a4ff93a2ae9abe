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
  static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    readBytes(descriptor, buffer, count)
  }

  static func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    writeBytes(descriptor, buffer, count)
  }

  static func poll(
    _ descriptors: UnsafeMutablePointer<pollfd>,
    _ count: Int,
    _ timeout: Int32
  )
    -> Int32
  {
    pollDescriptors(descriptors, count, timeout)
  }
}

// File scope, where the C functions are not shadowed.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int
{
  read(descriptor, buffer, count)
}

private func writeBytes(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}

private func pollDescriptors(
  _ descriptors: UnsafeMutablePointer<pollfd>,
  _ count: Int,
  _ timeout: Int32
) -> Int32 {
  poll(descriptors, nfds_t(count), timeout)
}
