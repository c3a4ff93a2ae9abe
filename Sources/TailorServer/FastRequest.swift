@_spi(Server) import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What one thread keeps between decision requests: a prepared profile and an
/// evaluator for the rules being served, so a request allocates nothing of its own.
public final class RequestScratch {
  private var served: ServedRules?
  /// The prepared profile and the evaluator for the rules being served.
  let evaluation = EvaluationScratch()
  /// The requested decisions of the current line, by document index (`selectedCount` of them).
  private(set) var selected: UnsafeMutablePointer<Int>
  let selectedCount: UnsafeMutablePointer<Int>
  private var selectedCapacity = 0
  /// The instant, in seconds since the epoch, for requests without `now`: the
  /// server reads the clock once per block of input it answers; `nil` reads it per request.
  public var blockTime: Double? {
    get { blockTimeSlot.pointee }
    set { blockTimeSlot.pointee = newValue }
  }
  private let blockTimeSlot: UnsafeMutablePointer<Double?>
  /// The answer being written: plain memory, appended to the output in one
  /// copy, so each fragment costs a bounds check and a `memcpy`.
  let answer: UnsafeMutablePointer<AnswerBytes>

  /// Empty scratch memory; the first request sizes it for the rules being served.
  public init() {
    answer = .allocate(capacity: 1)
    answer.initialize(to: AnswerBytes(capacity: 4096))
    blockTimeSlot = .allocate(capacity: 1)
    blockTimeSlot.initialize(to: nil)
    selected = .allocate(capacity: 1)
    selectedCount = .allocate(capacity: 1)
    selectedCount.initialize(to: 0)
  }

  deinit {
    blockTimeSlot.deallocate()
    selected.deallocate()
    selectedCount.deallocate()
    answer.pointee.deallocate()
    answer.deinitialize(count: 1)
    answer.deallocate()
  }

  /// Points the scratch at `rules`, replacing what belonged to earlier rules.
  @inline(__always)
  func use(_ rules: ServedRules) {
    if served !== rules {
      served = rules
      evaluation.use(rules.rules)
      // A request names each decision at most once.
      let decisions = max(rules.rendered.count, 1)
      if decisions > selectedCapacity {
        selected.deallocate()
        selected = .allocate(capacity: decisions)
        selectedCapacity = decisions
      }
    }
  }
}

/// The request fields a plain decision request has, matched as whole words.
enum RequestKeys {
  // Little-endian words of `"profile`, `"decisio`, `"explain`, `"id":` and `"now":`.
  private static let profile: UInt64 = 0x656C_6966_6F72_7022
  private static let decisions: UInt64 = 0x6F69_7369_6365_6422
  private static let explain: UInt64 = 0x6E69_616C_7078_6522
  private static let id: UInt64 = 0x0000_003A_2264_6922
  private static let now: UInt64 = 0x0000_3A22_776F_6E22

  /// The field whose key, with its `:` and no white space, starts at the
  /// quote at `position`, and the offset of the `:`; `nil` for anything else
  /// (the caller then reads the key byte by byte).
  @inline(__always)
  static func match(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int
  ) -> (RequestScanner.Field, Int)? {
    guard position &+ 16 <= count else { return nil }
    let first = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
    let second = UnsafeRawPointer(base + position + 8).loadUnaligned(as: UInt64.self)
    // "profile": and "explain": end `":` in the second word; "decisions": ends `ns":`.
    if first == profile && second & 0xFFFF == 0x3A22 { return (.profile, position + 9) }
    if first == decisions && second & 0xFFFF_FFFF == 0x3A22_736E {
      return (.decisions, position + 11)
    }
    if first & 0xFF_FFFF_FFFF == id { return (.id, position + 4) }
    if first & 0xFFFF_FFFF_FFFF == now { return (.now, position + 5) }
    if first == explain && second & 0xFFFF == 0x3A22 { return (.explain, position + 9) }
    return nil
  }
}

/// A growable run of bytes in plain memory, for writing one answer.
struct AnswerBytes {
  private(set) var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    base = .allocate(capacity: capacity)
    self.capacity = capacity
  }

  func deallocate() { base.deallocate() }

  @inline(__always)
  mutating func removeAll() { count = 0 }

  @inline(__always)
  mutating func append(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
    if count &+ length > capacity { grow(count + length) }
    (base + count).update(from: bytes, count: length)
    count &+= length
  }

  @inline(__always)
  mutating func append(_ byte: UInt8) {
    if count == capacity { grow(count + 1) }
    base[count] = byte
    count &+= 1
  }

  /// Appends a fragment, copying whole 16-byte blocks: the fragments are
  /// followed by ``Fragments/readPadding`` bytes, and the buffer keeps as many spare.
  @inline(__always)
  mutating func append(_ span: Fragments.Span, of fragments: Fragments.View) {
    let length = Int(span.count)
    if count &+ length &+ Fragments.readPadding > capacity {
      grow(count + length + Fragments.readPadding)
    }
    let source = UnsafeRawPointer(fragments.bytes + Int(span.start))
    let target = UnsafeMutableRawPointer(base + count)
    var offset = 0
    repeat {
      target.storeBytes(
        of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
        toByteOffset: offset,
        as: UInt64.self
      )
      target.storeBytes(
        of: source.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self),
        toByteOffset: offset &+ 8,
        as: UInt64.self
      )
      offset &+= 16
    } while offset < length
    count &+= length
  }

  @inline(never)
  private mutating func grow(_ needed: Int) {
    var grown = capacity * 2
    while grown < needed { grown *= 2 }
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
    bytes.update(from: base, count: count)
    base.deallocate()
    base = bytes
    capacity = grown
  }
}

extension RequestHandler {
  /// Answers the common request in one pass over the line: an object with
  /// `profile` (an object), and optionally `id` (an integer or a plain string),
  /// `decisions` (plain names of known decisions), `now` (a plain string) and
  /// `"explain": false`, each once.
  ///
  /// The profile is read into the scratch's prepared profile while the line is
  /// scanned, and answers are copied from fragments rendered when the rules
  /// were loaded. Anything else (ops, errors, explain, escapes, repeated
  /// fields, unknown decisions) returns `false` with nothing written, and the
  /// full path answers it; tests hold both paths to the same output.
  func respondFast(
    to line: UnsafeBufferPointer<UInt8>,
    scratch: RequestScratch,
    into output: inout [UInt8]
  ) -> Bool {
    guard let base = line.baseAddress else { return false }
    let count = line.count
    scratch.use(rules)
    let selected = scratch.selected
    let selectedCount = scratch.selectedCount
    selectedCount.pointee = 0
    let fragments = rules.fragments.view
    var id: Range<Int>?
    var profileRead = false
    var decisionsRead = false
    var explainRead = false
    var now: Double?

    @inline(__always)
    func skipSpace(_ position: Int) -> Int { JSONBytes.skipWhitespace(base, position, count) }
    @inline(__always)
    func plainStringEnd(_ quote: Int) -> Int? { JSONBytes.printableStringEnd(base, quote, count) }

    var position = skipSpace(0)
    guard position < count, base[position] == UInt8(ascii: "{") else { return false }
    position = skipSpace(position + 1)
    while true {
      guard position < count, base[position] == UInt8(ascii: "\"") else { return false }
      let field: RequestScanner.Field?
      if let (known, end) = RequestKeys.match(base, position, count) {
        field = known
        position = end
      } else {
        guard let keyEnd = plainStringEnd(position) else { return false }
        field = RequestScanner.knownField(
          UnsafeBufferPointer(start: base + position + 1, count: keyEnd - position - 1)
        )
        position = skipSpace(keyEnd + 1)
      }
      guard position < count, base[position] == UInt8(ascii: ":") else { return false }
      position = skipSpace(position + 1)
      guard position < count else { return false }
      switch field {
      case .id?:
        guard id == nil, let end = JSONBytes.plainIDEnd(base, position, count) else { return false }
        id = position..<end
        position = end
      case .profile?:
        guard !profileRead, base[position] == UInt8(ascii: "{") else { return false }
        profileRead = true
        // The request object is depth 1, so the profile may nest one level less.
        guard
          let end = scratch.evaluation.prepare(
            json: line,
            objectAt: position,
            maxDepth: maxDepth - 1
          )
        else { return false }
        position = end
      case .decisions?:
        guard !decisionsRead, base[position] == UInt8(ascii: "[") else { return false }
        decisionsRead = true
        position = skipSpace(position + 1)
        if position < count && base[position] == UInt8(ascii: "]") {
          position += 1
          break
        }
        while true {
          guard position < count, base[position] == UInt8(ascii: "\""),
            let end = plainStringEnd(position),
            let index = fragments.decision(
              named: UnsafeBufferPointer(start: base + position + 1, count: end - position - 1)
            )
          else { return false }
          let chosen = UnsafeBufferPointer(start: selected, count: selectedCount.pointee)
          if !chosen.contains(index) {
            selected[selectedCount.pointee] = index
            selectedCount.pointee += 1
          }
          position = skipSpace(end + 1)
          guard position < count else { return false }
          if base[position] == UInt8(ascii: "]") {
            position += 1
            break
          }
          guard base[position] == UInt8(ascii: ",") else { return false }
          position = skipSpace(position + 1)
        }
      case .now?:
        guard now == nil, base[position] == UInt8(ascii: "\""), let end = plainStringEnd(position)
        else { return false }
        guard
          let seconds = DateTime.parse(
            bytes: UnsafeBufferPointer(start: base + position + 1, count: end - position - 1)
          )
        else { return false }
        now = seconds
        position = end + 1
      case .explain?:
        // `true` needs the interpreter's trace: the full path.
        guard !explainRead, count - position >= 5, base[position] == UInt8(ascii: "f"),
          base[position + 1] == UInt8(ascii: "a"),
          base[position + 2] == UInt8(ascii: "l"), base[position + 3] == UInt8(ascii: "s"),
          base[position + 4] == UInt8(ascii: "e")
        else { return false }
        explainRead = true
        position += 5
      default:
        return false
      }
      position = skipSpace(position)
      guard position < count else { return false }
      if base[position] == UInt8(ascii: "}") {
        position += 1
        break
      }
      guard base[position] == UInt8(ascii: ",") else { return false }
      position = skipSpace(position + 1)
    }
    guard profileRead, skipSpace(position) == count else { return false }

    writeAnswer(
      id: id.map { UnsafeBufferPointer(rebasing: line[$0]) },
      selected: decisionsRead,
      at: now ?? self.now ?? scratch.blockTime ?? Date().timeIntervalSince1970,
      scratch: scratch,
      into: &output
    )
    return true
  }

  /// Writes `{"id":…,"decisions":{…}}` from the fragments rendered at load:
  /// the decisions in the scratch's selection when `selected`, else every
  /// decision in document order.
  @inline(__always)
  func writeAnswer(
    id: UnsafeBufferPointer<UInt8>?,
    selected isSelected: Bool,
    at seconds: Double,
    scratch: RequestScratch,
    into output: inout [UInt8]
  ) {
    let fragments = rules.fragments.view
    let selected = scratch.selected
    var answer = scratch.answer.pointee
    answer.removeAll()
    answer.append(fragments.answerHead, of: fragments)
    if let id, let idBase = id.baseAddress {
      answer.append(idBase, id.count)
    } else {
      answer.append(fragments.null, of: fragments)
    }
    answer.append(fragments.decisionsHead, of: fragments)
    // The decisions asked for, or else every decision in document order.
    let answered = isSelected ? scratch.selectedCount.pointee : rules.rendered.count
    for position in 0..<answered {
      if position > 0 { answer.append(UInt8(ascii: ",")) }
      let index = isSelected ? selected[position] : position
      writeDecision(index, seconds, fragments, scratch: scratch, into: &answer)
    }
    answer.append(fragments.answerEnd, of: fragments)
    output.append(contentsOf: UnsafeBufferPointer(start: answer.base, count: answer.count))
    scratch.answer.pointee = answer
  }

  /// `"name":{…}` for one decision, from the fragments rendered at load.
  @inline(__always)
  private func writeDecision(
    _ index: Int,
    _ now: Double,
    _ fragments: Fragments.View,
    scratch: RequestScratch,
    into answer: inout AnswerBytes
  ) {
    guard let id = rules.rules.decisionID(at: index) else { return }
    let record = fragments.decisions[index]
    if record.isMultiple {
      // `{"matches":[{…},…]}` from the same fragments as a single answer.
      answer.append(record.key, of: fragments)
      answer.append(fragments.matchesHead, of: fragments)
      var count = 0
      scratch.evaluation.forEachMatch(of: id, at: now) { variant, rule, reason in
        if count > 0 { answer.append(UInt8(ascii: ",")) }
        count += 1
        answer.append(fragments.heads[Int(record.firstHead) + variant], of: fragments)
        if let rule {
          answer.append(fragments.ruleIDs[Int(record.firstRule) + rule], of: fragments)
        } else {
          answer.append(fragments.null, of: fragments)
        }
        answer.append(fragments.reasons[Fragments.View.reasonIndex(reason)], of: fragments)
      }
      answer.append(fragments.matchesEnd, of: fragments)
      return
    }
    // Later decisions of the request reuse what earlier ones worked out.
    let outcome = scratch.evaluation.outcome(of: id, at: now)
    let reason = Fragments.View.reasonIndex(outcome.reason)
    if let rule = outcome.rule, let variant = outcome.variant {
      // Most winning rules answer with the text rendered for them at load.
      let whole = fragments.ruleAnswers[Int(record.firstRule) + rule]
      if whole.variant == variant && whole.reason == reason {
        answer.append(whole.text, of: fragments)
        return
      }
    }
    answer.append(record.key, of: fragments)
    guard let variant = outcome.variant else {
      answer.append(fragments.noVariant, of: fragments)
      answer.append(fragments.reasons[reason], of: fragments)
      return
    }
    answer.append(fragments.heads[Int(record.firstHead) + variant], of: fragments)
    if let rule = outcome.rule {
      answer.append(fragments.ruleIDs[Int(record.firstRule) + rule], of: fragments)
    } else {
      answer.append(fragments.null, of: fragments)
    }
    answer.append(fragments.reasons[reason], of: fragments)
  }
}
