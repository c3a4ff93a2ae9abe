import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Counters for `op: stats`: requests, errors by code and latency.
///
/// Each worker keeps its own and the server merges them after each batch, so
/// counting needs no locks.
struct ServerStats {
  /// Answered lines, including errors and control requests.
  var requests = 0
  /// Error responses by ``ProtocolError`` (indexed by `allCases`).
  var errors = [Int](repeating: 0, count: ProtocolError.allCases.count)
  /// Time from reading a line to its response being in the output buffer.
  var latency = LatencyHistogram()
  /// Successful `load`s and reloads since start.
  var loads = 0
  /// When the server started, in seconds since the epoch.
  var startedAt = Date().timeIntervalSince1970
  /// Worker threads.
  var threads = 1

  mutating func record(_ outcome: RequestHandler.Disposition, nanoseconds: UInt64) {
    requests += 1
    if case .failed(let code) = outcome { count(code) }
    latency.record(nanoseconds)
  }

  mutating func count(_ code: ProtocolError) {
    errors[ProtocolError.allCases.firstIndex(of: code) ?? 0] += 1
  }

  /// Adds another worker's requests, errors and latencies.
  mutating func merge(_ other: ServerStats) {
    requests += other.requests
    for index in errors.indices { errors[index] += other.errors[index] }
    latency.merge(other.latency)
  }

  /// Clears the per-batch counters, keeping the buffers.
  mutating func reset() {
    requests = 0
    for index in errors.indices { errors[index] = 0 }
    latency.reset()
  }

  /// The `stats` object.
  func json(rules: ServedRules) -> JSONValue {
    var errorCounts = JSONObject()
    for (index, code) in ProtocolError.allCases.enumerated() {
      errorCounts[code.rawValue] = .number(Double(errors[index]))
    }
    func micros(_ nanoseconds: Double) -> JSONValue { .number((nanoseconds / 10).rounded() / 100) }
    var rulesInfo = rules.counts
    rulesInfo["file"] = rules.file.map(JSONValue.string) ?? .null
    rulesInfo["loadedAt"] = .string(DateTime.format(rules.loadedAt.rounded(.down)))
    rulesInfo["loads"] = .number(Double(loads))
    return .object(
      JSONObject([
        ("requests", .number(Double(requests))),
        ("errors", .object(errorCounts)),
        (
          "latencyMicros",
          .object(
            JSONObject([
              ("p50", micros(latency.percentile(0.5))), ("p99", micros(latency.percentile(0.99))),
              ("p999", micros(latency.percentile(0.999))), ("max", micros(Double(latency.maximum))),
            ])
          )
        ),
        ("rules", .object(rulesInfo)),
        ("regexLimitHits", .number(Double(rules.rules.regexLimitHits))),
        ("threads", .number(Double(threads))),
        ("uptimeSeconds", .number((Date().timeIntervalSince1970 - startedAt).rounded())),
      ])
    )
  }
}

/// A log-linear histogram of nanosecond durations: 16 sub-buckets per power of
/// two, so a percentile is within about 6 % of the true value.
struct LatencyHistogram {
  private static let subBits = 4
  private static let subCount = 1 << subBits
  private(set) var counts = [UInt64](repeating: 0, count: subCount + (64 - subBits) * subCount)
  private(set) var total: UInt64 = 0
  private(set) var maximum: UInt64 = 0

  static func bucket(_ value: UInt64) -> Int {
    if value < UInt64(subCount) { return Int(value) }
    let exponent = 63 - value.leadingZeroBitCount  // ≥ subBits
    let sub = Int((value >> UInt64(exponent - subBits)) & UInt64(subCount - 1))
    return subCount + (exponent - subBits) * subCount + sub
  }

  /// The middle of a bucket's range.
  static func midpoint(_ index: Int) -> Double {
    if index < subCount { return Double(index) }
    let exponent = (index - subCount) / subCount + subBits
    let sub = (index - subCount) % subCount
    let lower = Double(subCount + sub) * Double(1 << UInt64(exponent - subBits))
    return lower + Double(1 << UInt64(exponent - subBits)) / 2
  }

  mutating func record(_ value: UInt64) {
    counts[LatencyHistogram.bucket(value)] += 1
    total += 1
    if value > maximum { maximum = value }
  }

  mutating func merge(_ other: LatencyHistogram) {
    guard other.total > 0 else { return }
    for index in counts.indices where other.counts[index] > 0 {
      counts[index] += other.counts[index]
    }
    total += other.total
    maximum = max(maximum, other.maximum)
  }

  mutating func reset() {
    guard total > 0 else { return }
    for index in counts.indices { counts[index] = 0 }
    total = 0
    maximum = 0
  }

  /// The value at quantile `q` (0…1), or 0 with no samples.
  func percentile(_ q: Double) -> Double {
    guard total > 0 else { return 0 }
    let rank = max(1, UInt64((q * Double(total)).rounded(.up)))
    var seen: UInt64 = 0
    for index in counts.indices {
      seen += counts[index]
      if seen >= rank { return min(LatencyHistogram.midpoint(index), Double(maximum)) }
    }
    return Double(maximum)
  }
}
