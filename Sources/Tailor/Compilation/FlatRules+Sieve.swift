/// The records of ``RuleSieve``s as the evaluator reads them.
///
/// A sieve numbers its rules by *position* (``RuleSieve/order``). The evaluator keeps one
/// bit per position, all of them first set for the rules that can hold, and each filter
/// clears the bits of rules the profile's value cannot satisfy. A filter's bit sets cover
/// only its *runs*: the words holding the positions it constrains, back to back (its
/// local words); elsewhere it would keep every bit. Lists of positions are stored as
/// local bit indices, ready to set in a local word.
extension FlatRules {
  struct SieveRecord {
    /// Words of one bit per position.
    var words: Int32
    /// Where the decision's bits start in an evaluator's sieve buffer.
    var accumulator: Int32
    /// Where its survivors are gathered in an evaluator's survivor buffer.
    var survivors: Int32
    /// The bits of the positions whose rules can hold, in `sieveWords`.
    var possible: Int32
    var firstFilter: Int32
    var filterCount: Int32
    /// Per position, its rule, from here in `sieveInts`.
    var order: Int32
    /// The candidate of rule `r` is at `firstCandidate + r` in `candidates`.
    var firstCandidate: Int32
  }

  enum SieveFilterKind: UInt8 {
    case keys, number, time, suffix, version, prefix, string
  }

  struct SieveFilterRecord {
    var kind: SieveFilterKind
    /// Keys: an array of strings admits the rules of any of its keys.
    var acceptsArrays: Bool
    var slot: Int32
    /// `(first word, end word)` pairs in `sieveInts`.
    var runs: Int32
    var runCount: Int32
    /// How many local words the runs hold.
    var localWords: Int32
    /// Local bits of the positions the filter does not constrain (admitted whatever the value).
    var unconstrained: Int32
    /// Local bits admitted for a missing or null value.
    var null: Int32
    /// Keys: one entry per key id of the slot in `sieveEntries`; number and time: the
    /// thresholds in `thresholds`; version and string: the (padded) operands as `(start, count)` pairs
    /// in `sieveInts` of bytes in `affixBytes`; suffix and prefix: the trie's edges in
    /// `suffixEntries` (`count` of them, a power of two; a prefix trie holds its
    /// prefixes reversed, so that it reads them from their first byte).
    var start: Int32
    var count: Int32
    /// Number, time, version and string: `2 × count + 1` records in `sieveRegions`; suffix and prefix: the trie's
    /// nodes in `suffixNodes` (their count, then per node an entry in `sieveEntries` or -1).
    var extra: Int32
    /// Version and string: per operand, two words in `sieveWords`, its first 16 bytes zero-padded as
    /// big-endian integers: operands whose words differ order as their words do.
    var versionKeys: Int32
  }

  /// The rules a key or suffix admits: local bits `bitset` (with the unconstrained ones)
  /// when many, else `count` local bit indices from `start` in `sieveInts`.
  struct SieveEntry {
    var bitset: Int32
    var start: Int32
    var count: Int32
  }

  /// A region of an interval filter: the local bits admitted at a checkpoint region at or
  /// before it, and the positions whose admission changes from there to it, local bit indices
  /// `eventStart..<eventEnd` in `sieveInts`.
  struct SieveRegion {
    var checkpoint: Int32
    var eventStart: Int32
    var eventEnd: Int32
  }

  /// Lowers sieves into the pools the evaluator reads.
  struct SieveLowering {
    var sieves: [SieveRecord] = []
    var filters: [SieveFilterRecord] = []
    var words: [UInt64] = []
    var ints: [Int32] = []
    var entries: [SieveEntry] = []
    var regions: [SieveRegion] = []
    /// Sizes of an evaluator's buffers: every sieve's bits and survivors, and the
    /// largest filter's local words.
    var accumulatorWords = 0
    var survivorCount = 0
    var scratchWords = 0

    /// The sieve's record index.
    mutating func lower(
      _ sieve: RuleSieve,
      firstCandidate: Int32,
      keyCount: (Int32) -> Int,
      thresholds: inout [Double],
      suffixEntries: inout [SuffixEntry],
      suffixNodes: inout [Int32],
      affixBytes: inout [UInt8]
    ) -> Int32 {
      let positions = sieve.order.count
      let wordCount = (positions + 63) / 64
      var possible = [UInt64](repeating: 0, count: wordCount)
      for (position, rule) in sieve.order.enumerated() where sieve.programs[Int(rule)] != nil {
        possible[position >> 6] |= 1 << UInt64(position & 63)
      }
      var record = SieveRecord(
        words: Int32(wordCount),
        accumulator: Int32(accumulatorWords),
        survivors: Int32(survivorCount),
        possible: Int32(words.count),
        firstFilter: Int32(filters.count),
        filterCount: Int32(sieve.filters.count),
        order: Int32(ints.count),
        firstCandidate: firstCandidate
      )
      words.append(contentsOf: possible)
      ints.append(contentsOf: sieve.order)
      accumulatorWords += wordCount
      survivorCount += positions
      for filter in sieve.filters {
        lower(
          filter,
          wordCount: wordCount,
          keyCount: keyCount,
          thresholds: &thresholds,
          suffixEntries: &suffixEntries,
          suffixNodes: &suffixNodes,
          affixBytes: &affixBytes
        )
      }
      record.filterCount = Int32(filters.count) - record.firstFilter
      sieves.append(record)
      return Int32(sieves.count - 1)
    }

    // swift-format-ignore: FunctionBodyLength
    // One pass per kind of filter, sharing the local layout worked out first.
    private mutating func lower(
      _ filter: RuleSieve.Filter,
      wordCount: Int,
      keyCount: (Int32) -> Int,
      thresholds: inout [Double],
      suffixEntries: inout [SuffixEntry],
      suffixNodes: inout [Int32],
      affixBytes: inout [UInt8]
    ) {
      // The runs, and each word's local index.
      var local = [Int32](repeating: -1, count: wordCount)
      var runs: [Int32] = []
      var localWords = 0
      // Runs closer than this many words are joined: a run costs about as much as several
      // words, and the words between hold only unconstrained bits (measured on campaign
      // rules in Gray-code order: 4 words 8,680 instructions per decision at 10,000 rules,
      // 8 8,085, 16 7,995, 32 8,160; at 1,000 rules 3,588 to 3,600 for all; the peak
      // memory of 100,000 rules did not change).
      let join = 16
      for position in filter.constrained {
        let word = Int(position >> 6)
        guard local[word] < 0 else { continue }
        if let last = runs.last, Int(last) + join >= word {
          for between in Int(last)...word {
            local[between] = Int32(localWords)
            localWords += 1
          }
          runs[runs.count - 1] = Int32(word + 1)
        } else {
          local[word] = Int32(localWords)
          localWords += 1
          runs.append(Int32(word))
          runs.append(Int32(word + 1))
        }
      }
      func localBit(_ position: Int32) -> Int32 {
        local[Int(position >> 6)] * 64 + (position & 63)
      }
      var unconstrained = [UInt64](repeating: ~0, count: localWords)
      for position in filter.constrained {
        let bit = localBit(position)
        unconstrained[Int(bit >> 6)] &= ~(1 << UInt64(bit & 63))
      }
      func with(_ list: [Int32]) -> [UInt64] {
        var bits = unconstrained
        for position in list {
          let bit = localBit(position)
          bits[Int(bit >> 6)] |= 1 << UInt64(bit & 63)
        }
        return bits
      }
      func append(_ bits: [UInt64]) -> Int32 {
        words.append(contentsOf: bits)
        return Int32(words.count - bits.count)
      }
      func entry(_ list: [Int32]) -> SieveEntry {
        // A bit set is intersected at once; a list is set in a copy of the unconstrained
        // bits first. Bit sets cost at most 128 bytes per rule listed.
        if list.count >= 2 && list.count * 16 >= localWords {
          return SieveEntry(bitset: append(with(list)), start: 0, count: Int32(list.count))
        }
        let start = Int32(ints.count)
        ints.append(contentsOf: list.map(localBit))
        return SieveEntry(bitset: -1, start: start, count: Int32(list.count))
      }
      var record = SieveFilterRecord(
        kind: .keys,
        acceptsArrays: false,
        slot: filter.slot,
        runs: Int32(ints.count),
        runCount: Int32(runs.count / 2),
        localWords: Int32(localWords),
        unconstrained: 0,
        null: 0,
        start: 0,
        count: 0,
        extra: 0,
        versionKeys: 0
      )
      ints.append(contentsOf: runs)
      record.unconstrained = append(unconstrained)
      record.null =
        filter.admitsNull.isEmpty ? record.unconstrained : append(with(filter.admitsNull))
      scratchWords = max(scratchWords, localWords)
      switch filter.index {
      case .keys(let cases, let acceptsArrays):
        record.kind = .keys
        record.acceptsArrays = acceptsArrays
        let count = keyCount(filter.slot)
        var lowered = [SieveEntry](
          repeating: SieveEntry(bitset: -1, start: 0, count: 0),
          count: count
        )
        for (key, list) in cases where key >= 0 && Int(key) < count {
          lowered[Int(key)] = entry(list)
        }
        record.start = Int32(entries.count)
        record.count = Int32(count)
        entries.append(contentsOf: lowered)
      case .suffix(let cases), .prefix(let cases):
        let isPrefix = if case .prefix = filter.index { true } else { false }
        record.kind = isPrefix ? .prefix : .suffix
        let children = cases.map { affix -> ([UInt8], Int32) in
          entries.append(entry(affix.positions))
          return (isPrefix ? affix.bytes.reversed() : affix.bytes, Int32(entries.count - 1))
        }
        (record.start, record.count, record.extra) = FlatRules.appendSuffixTable(
          children,
          entries: &suffixEntries,
          nodes: &suffixNodes,
          labels: &affixBytes
        )
      case .versions(let operands, let admitted), .strings(let operands, let admitted):
        let isVersion = if case .versions = filter.index { true } else { false }
        record.kind = isVersion ? .version : .string
        record.start = Int32(ints.count)
        record.count = Int32(operands.count)
        record.versionKeys = Int32(words.count)
        for operand in operands {
          ints.append(Int32(affixBytes.count))
          ints.append(Int32(operand.count))
          affixBytes.append(contentsOf: operand)
          let (high, low) = FlatRules.versionKey(operand)
          words.append(high)
          words.append(low)
        }
        record.extra = Int32(regions.count)
        lowerRegions(operands.count, admitted, unconstrained, localBit)
      case .interval(let domain, let values, let admitted):
        record.kind = domain == .number ? .number : .time
        record.start = Int32(thresholds.count)
        record.count = Int32(values.count)
        thresholds.append(contentsOf: values)
        record.extra = Int32(regions.count)
        lowerRegions(values.count, admitted, unconstrained, localBit)
      }
      filters.append(record)
    }

    /// The regions of an interval filter: checkpoints of admitted bits, and between
    /// them the positions whose admission changes, sorted by region.
    private mutating func lowerRegions(
      _ thresholdCount: Int,
      _ admitted: [(position: Int32, low: Int32, high: Int32)],
      _ unconstrained: [UInt64],
      _ localBit: (Int32) -> Int32
    ) {
      let regionCount = 2 * thresholdCount + 1
      // Events by region: a position enters at `low` and leaves after `high`.
      var counts = [Int](repeating: 0, count: regionCount + 1)
      var current = unconstrained
      for entry in admitted where entry.low <= entry.high {
        if entry.low == 0 {
          let bit = localBit(entry.position)
          current[Int(bit >> 6)] |= 1 << UInt64(bit & 63)
        } else {
          counts[Int(entry.low)] += 1
        }
        if Int(entry.high) + 1 < regionCount { counts[Int(entry.high) + 1] += 1 }
      }
      var starts = [Int](repeating: 0, count: regionCount + 1)
      for region in 0..<regionCount { starts[region + 1] = starts[region] + counts[region] }
      var events = [Int32](repeating: 0, count: starts[regionCount])
      var fill = starts
      for entry in admitted where entry.low <= entry.high {
        let bit = localBit(entry.position)
        if entry.low > 0 {
          events[fill[Int(entry.low)]] = bit
          fill[Int(entry.low)] += 1
        }
        if Int(entry.high) + 1 < regionCount {
          events[fill[Int(entry.high) + 1]] = bit
          fill[Int(entry.high) + 1] += 1
        }
      }
      let base = Int32(ints.count)
      ints.append(contentsOf: events)
      // At most this many changes are applied per profile, each costing about as much as
      // a few words of the copy; checkpoints then take about 32 bytes per change.
      let limit = max(4, current.count / 4)
      var checkpoint: Int32 = 0
      var since = 0
      var eventStart = 0
      for region in 0..<regionCount {
        let count = counts[region]
        for index in starts[region]..<starts[region + 1] {
          let bit = events[index]
          current[Int(bit >> 6)] ^= 1 << UInt64(bit & 63)
        }
        if region == 0 || since + count > limit {
          words.append(contentsOf: current)
          checkpoint = Int32(words.count - current.count)
          since = 0
          eventStart = starts[region + 1]
        } else {
          since += count
        }
        regions.append(
          SieveRegion(
            checkpoint: checkpoint,
            eventStart: base + Int32(eventStart),
            eventEnd: base + Int32(starts[region + 1])
          )
        )
      }
    }
  }
}

extension FlatRules {
  /// The first 16 bytes of `bytes`, zero-padded, as two big-endian integers: when two
  /// strings' keys differ, they order as their keys do (bytes, then length).
  @inline(__always)
  static func versionKey(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
    guard let start = bytes.baseAddress else { return (0, 0) }
    if bytes.count >= 16 {
      let raw = UnsafeRawPointer(start)
      return (
        UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      )
    }
    var padded: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &padded) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
    return (UInt64(bigEndian: padded.0), UInt64(bigEndian: padded.1))
  }

  /// The version key of an array's bytes.
  static func versionKey(_ bytes: [UInt8]) -> (UInt64, UInt64) {
    bytes.withUnsafeBufferPointer { versionKey($0) }
  }
}
