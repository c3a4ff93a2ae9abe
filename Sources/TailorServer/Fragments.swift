import Tailor

/// The JSON text every decision answer repeats, rendered once per document (by
/// `AnswerRenderer`, piece by piece, as every other answer is written) into
/// one block of plain memory, and the decision names as a byte-keyed table, so
/// writing an answer copies bytes without touching a reference count.
final class Fragments: @unchecked Sendable {
  // @unchecked: written in `init`, only read afterwards.

  /// A run of bytes in ``View/bytes``.
  struct Span {
    var start: Int32
    var count: Int32
  }

  /// One decision's fragments, together so that an answer reads one record.
  struct DecisionFragments {
    /// `"name":`.
    var key: Span
    /// Its first entry in ``View/heads`` and in ``View/ruleIDs``.
    var firstHead: Int32
    var firstRule: Int32
    /// Whether it answers with a list (`mode: all`).
    var isMultiple: Bool
  }

  /// A rule's whole answer when it serves `variant` for `reason` (a
  /// ``View/reasonIndex(_:)``): serving rules match, rollouts roll out.
  struct RuleAnswer {
    var text: Span
    var variant: Int32
    var reason: Int32
  }

  /// Rule answers longer than this (large variant values) are written piece by piece.
  static let ruleAnswerLimit = 512

  /// The fragments as raw pointers; valid while the `Fragments` lives.
  struct View {
    let bytes: UnsafeMutablePointer<UInt8>
    /// Per decision: where its fragments are.
    let decisions: UnsafeMutablePointer<DecisionFragments>
    /// Per variant: `{"variant":"key","value":<value>,"rule":`.
    let heads: UnsafeMutablePointer<Span>
    /// Per rule: its id as a JSON string.
    let ruleIDs: UnsafeMutablePointer<Span>
    /// Per rule (indexed as ``ruleIDs``): the whole `"name":{…}` answer of the
    /// rule's usual outcome, or a variant of -1 when there is none.
    let ruleAnswers: UnsafeMutablePointer<RuleAnswer>
    /// Per decision: its name's UTF-8.
    let names: UnsafeMutablePointer<Span>
    /// Open addressing over name hashes: a decision index or -1.
    let nameTable: UnsafeMutablePointer<Int32>
    let nameMask: Int
    /// The text around the decisions: `{"id":`, `null`, `,"decisions":{` and `}}` with the newline.
    let answerHead: Span
    let null: Span
    let decisionsHead: Span
    let answerEnd: Span
    /// `{"variant":null,"value":null,"rule":null`, the head of a decision without a variant.
    let noVariant: Span
    /// `{"matches":[` and `]}`, around a `mode: all` decision's matches.
    let matchesHead: Span
    let matchesEnd: Span
    /// Per ``Decision/Reason`` (in ``reasonIndex(_:)`` order): `,"reason":"…"}`.
    let reasons: UnsafeMutablePointer<Span>

    /// Where a reason's closing text is in ``reasons``.
    @inline(__always)
    static func reasonIndex(_ reason: Decision.Reason) -> Int {
      switch reason {
      case .match: 0
      case .rollout: 1
      case .split: 2
      case .default: 3
      case .prerequisiteFailed: 4
      }
    }

    // swift-format-ignore: NeverForceUnwrap
    // The bytes are compared only for a name that is not empty, which has a base address.
    /// The index of the decision named by these UTF-8 bytes.
    @inline(__always)
    func decision(named name: UnsafeBufferPointer<UInt8>) -> Int? {
      var position = Int(truncatingIfNeeded: Fragments.hash(name)) & nameMask
      while true {
        let index = Int(nameTable[position])
        if index < 0 { return nil }
        let span = names[index]
        if Int(span.count) == name.count
          && (name.isEmpty
            || System.bytesEqual(bytes + Int(span.start), name.baseAddress!, count: name.count))
        {
          return index
        }
        position = (position + 1) & nameMask
      }
    }
  }

  let view: View

  init(_ decisions: [DecisionDefinition]) {
    var bytes: [UInt8] = []
    func span(_ write: (inout [UInt8]) -> Void) -> Span {
      let start = bytes.count
      write(&bytes)
      return Span(start: Int32(start), count: Int32(bytes.count - start))
    }
    var records: [DecisionFragments] = []
    var heads: [Span] = []
    var ruleIDs: [Span] = []
    var ruleAnswers: [RuleAnswer] = []
    var names: [Span] = []
    for decision in decisions {
      var keyBytes: [UInt8] = []
      AnswerRenderer.writeKey(decision.name, into: &keyBytes)
      let key = span { $0.append(contentsOf: keyBytes) }
      var isMultiple = false
      if case .all = decision.mode { isMultiple = true }
      records.append(
        DecisionFragments(
          key: key,
          firstHead: Int32(heads.count),
          firstRule: Int32(ruleIDs.count),
          isMultiple: isMultiple
        )
      )
      // Each variant's head is rendered once, and found by its key's UTF-8 (the first
      // of equal keys, as `==` on the bytes finds it): a rule's answer copies them.
      var headBytes: [[UInt8]] = []
      var variantIndex: [[UInt8]: Int] = [:]
      for (index, variant) in decision.variants.enumerated() {
        var head: [UInt8] = []
        AnswerRenderer.writeHead(variant: variant.key, value: variant.value, into: &head)
        heads.append(span { $0.append(contentsOf: head) })
        headBytes.append(head)
        let utf8 = Array(variant.key.utf8)
        if variantIndex[utf8] == nil { variantIndex[utf8] = index }
      }
      for rule in decision.rules {
        ruleIDs.append(span { AnswerRenderer.writeRule(rule.id, into: &$0) })
        // The outcome a serving rule or a rollout always has when it wins.
        var usual: (variant: Int, reason: Decision.Reason)?
        switch rule.action {
        case .serve(let key): usual = variantIndex[Array(key.utf8)].map { ($0, .match) }
        case .rollout(let key, _): usual = variantIndex[Array(key.utf8)].map { ($0, .rollout) }
        case .split: usual = nil
        }
        guard !isMultiple, let usual else {
          ruleAnswers.append(RuleAnswer(text: Span(start: 0, count: 0), variant: -1, reason: -1))
          continue
        }
        let start = bytes.count
        bytes.append(contentsOf: keyBytes)
        bytes.append(contentsOf: headBytes[usual.variant])
        AnswerRenderer.writeRule(rule.id, into: &bytes)
        AnswerRenderer.writeReason(usual.reason, into: &bytes)
        AnswerRenderer.writeEnd(into: &bytes)
        guard bytes.count - start <= Fragments.ruleAnswerLimit else {
          bytes.removeSubrange(start...)
          ruleAnswers.append(RuleAnswer(text: Span(start: 0, count: 0), variant: -1, reason: -1))
          continue
        }
        ruleAnswers.append(
          RuleAnswer(
            text: Span(start: Int32(start), count: Int32(bytes.count - start)),
            variant: Int32(usual.variant),
            reason: Int32(View.reasonIndex(usual.reason))
          )
        )
      }
      names.append(span { output in output.append(contentsOf: decision.name.utf8) })
    }
    let answerHead = span { $0.append(contentsOf: #"{"id":"#.utf8) }
    let null = span { $0.append(contentsOf: "null".utf8) }
    let decisionsHead = span { output in
      output.append(UInt8(ascii: ","))
      AnswerRenderer.writeDecisionsKey(into: &output)
    }
    let answerEnd = span { $0.append(contentsOf: "}}\n".utf8) }
    let noVariant = span { AnswerRenderer.writeNoVariantHead(into: &$0) }
    let matchesHead = span { AnswerRenderer.writeMatchesHead(into: &$0) }
    let matchesEnd = span { output in
      AnswerRenderer.writeMatchesEnd(into: &output)
      AnswerRenderer.writeEnd(into: &output)
    }
    var reasons: [Span] = []
    for reason in [Decision.Reason.match, .rollout, .split, .default, .prerequisiteFailed] {
      precondition(reasons.count == View.reasonIndex(reason), "reasons out of order")
      reasons.append(
        span { output in
          AnswerRenderer.writeReason(reason, into: &output)
          AnswerRenderer.writeEnd(into: &output)
        }
      )
    }
    // Copies read whole 16-byte blocks: the last span may be over-read.
    bytes.append(contentsOf: repeatElement(0, count: Fragments.readPadding))
    var capacity = 8
    while capacity < decisions.count * 2 { capacity *= 2 }
    var table = [Int32](repeating: -1, count: capacity)
    for (index, name) in names.enumerated() {
      let hash = bytes.withUnsafeBufferPointer {
        Fragments.hash(
          UnsafeBufferPointer(rebasing: $0[Int(name.start)..<Int(name.start + name.count)])
        )
      }
      var position = Int(truncatingIfNeeded: hash) & (capacity - 1)
      var duplicate = false
      while table[position] >= 0 {
        let other = names[Int(table[position])]
        if bytes[Int(other.start)..<Int(other.start + other.count)]
          == bytes[Int(name.start)..<Int(name.start + name.count)]
        {
          duplicate = true
          break
        }
        position = (position + 1) & (capacity - 1)
      }
      // Names are unique in a valid document; the first keeps a repeated one.
      if !duplicate { table[position] = Int32(index) }
    }

    func freeze<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
      let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
      pointer.initialize(from: array, count: array.count)
      return pointer
    }
    view = View(
      bytes: freeze(bytes),
      decisions: freeze(records),
      heads: freeze(heads),
      ruleIDs: freeze(ruleIDs),
      ruleAnswers: freeze(ruleAnswers),
      names: freeze(names),
      nameTable: freeze(table),
      nameMask: capacity - 1,
      answerHead: answerHead,
      null: null,
      decisionsHead: decisionsHead,
      answerEnd: answerEnd,
      noVariant: noVariant,
      matchesHead: matchesHead,
      matchesEnd: matchesEnd,
      reasons: freeze(reasons)
    )
  }

  deinit {
    view.bytes.deallocate()
    view.decisions.deallocate()
    view.heads.deallocate()
    view.ruleIDs.deallocate()
    view.ruleAnswers.deallocate()
    view.names.deallocate()
    view.nameTable.deallocate()
    view.reasons.deallocate()
  }

  /// Bytes after the last fragment that a 16-byte block copy may read.
  static let readPadding = 16

  /// FNV-1a (64-bit) over the bytes.
  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01B3 }
    return hash
  }
}
