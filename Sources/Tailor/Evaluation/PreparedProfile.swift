/// A profile read into the slots one document's rules use, ready to evaluate.
///
/// Preparing resolves every attribute path once; fields no rule reads are
/// skipped (and, from JSON bytes, never decoded). A prepared profile belongs to
/// the ``Rules`` that prepared it.
///
/// ```swift
/// let prepared = try rules.prepare(json: Array(line.utf8))
/// let decision = evaluator.decide("homepage-hero", for: prepared, at: now)
/// ```
public struct PreparedProfile: @unchecked Sendable {
  // @unchecked: the storage is written only while it is uniquely referenced
  // (when created, or by `Rules.prepare(json:into:)` after a uniqueness check).
  /// What a slot holds, in plain numbers.
  struct Summary {
    enum Kind: UInt8 {
      case null, bool, number, string, array, object
      /// An array kept only as the key ids of its string elements (for a
      /// ``ProfileLayout/keysOnly`` slot): `key` is the first in
      /// ``Storage/arrayKeys`` and `number` the count.
      case keyArray
    }

    var kind: Kind
    /// For strings: the key id among the slot's switch keys, or -1.
    var key: Int32
    /// For numbers, the value; for strings, the instant of a date-time.
    ///
    /// Strings in slots read as date-times (``ProfileLayout/isTime``) hold their
    /// instant, NaN when they are not one; other strings hold 0.
    var number: Double
  }

  /// Slot storage: plain memory, written without copy-on-write checks per slot.
  ///
  /// Every per-slot array, and first room for key arrays and pending strings,
  /// share one allocation.
  package final class Storage {
    let count: Int
    let summaries: UnsafeMutablePointer<Summary>
    let values: UnsafeMutablePointer<JSONValue>
    /// Whether some value may hold a string, an array or an object.
    ///
    /// While it is `false` every value is trivial, so the profile reader and `reset` overwrite
    /// values without releasing the old ones.
    var valuesMayOwnMemory = false
    /// Padded version strings of the slots version comparisons read (others empty).
    let paddedVersions: UnsafeMutablePointer<String>
    /// Per slot: a string read from JSON bytes but not yet built, as
    /// `start << 32 | length` in ``arena``, or -1.
    ///
    /// The evaluator builds the string (and its padded version) only if a test reads it.
    let pending: UnsafeMutablePointer<Int64>
    /// Per slot: the UTF-8 of a string value that was built (read from a ``Profile``), kept
    /// in ``arena`` as `start << 32 | length` for the tests that read bytes, or -1.
    let kept: UnsafeMutablePointer<Int64>
    /// The bytes of pending strings and of kept ones.
    private(set) var arena: UnsafeMutablePointer<UInt8>
    private(set) var arenaCount = 0
    private var arenaCapacity = Storage.inlineArena
    /// Key ids of the string elements of ``Summary/Kind/keyArray`` slots.
    private(set) var arrayKeys: UnsafeMutablePointer<Int32>
    var arrayKeyCount = 0
    private var arrayKeyCapacity = Storage.inlineArrayKeys
    /// The keys the fast reader met in the last profile, in reading order
    /// (``ProfileFastReader``): the next profile of a stream usually repeats them.
    let keyGuesses: UnsafeMutablePointer<KeyGuess>
    /// The rules whose layout the slots and guesses follow, kept alive so
    /// that the layout's identity is never reused while this storage lives.
    private let owner: AnyObject
    /// The one block that holds everything above at first.
    private let block: UnsafeMutableRawPointer
    private let inlineArenaStart: UnsafeMutablePointer<UInt8>
    private let inlineArrayKeysStart: UnsafeMutablePointer<Int32>

    static let inlineArena = 256
    static let inlineArrayKeys = 16

    init(count: Int, owner: AnyObject) {
      self.count = count
      self.owner = owner
      let slots = max(count, 1)
      var size = 0
      func reserve<T>(_ type: T.Type, _ count: Int) -> Int {
        size =
          (size + MemoryLayout<T>.alignment - 1) / MemoryLayout<T>.alignment
          * MemoryLayout<T>.alignment
        defer { size += MemoryLayout<T>.stride * count }
        return size
      }
      let summaryOffset = reserve(Summary.self, slots)
      let valueOffset = reserve(JSONValue.self, slots)
      let versionOffset = reserve(String.self, slots)
      let pendingOffset = reserve(Int64.self, slots)
      let keptOffset = reserve(Int64.self, slots)
      let guessesOffset = reserve(KeyGuess.self, KeyGuess.capacity)
      let keysOffset = reserve(Int32.self, Storage.inlineArrayKeys)
      let arenaOffset = reserve(UInt8.self, Storage.inlineArena)
      block = .allocate(byteCount: size, alignment: 16)
      summaries = (block + summaryOffset).bindMemory(to: Summary.self, capacity: slots)
      summaries.initialize(repeating: Summary(kind: .null, key: -1, number: 0), count: slots)
      values = (block + valueOffset).bindMemory(to: JSONValue.self, capacity: slots)
      values.initialize(repeating: .null, count: slots)
      paddedVersions = (block + versionOffset).bindMemory(to: String.self, capacity: slots)
      paddedVersions.initialize(repeating: "", count: slots)
      pending = (block + pendingOffset).bindMemory(to: Int64.self, capacity: slots)
      pending.initialize(repeating: -1, count: slots)
      kept = (block + keptOffset).bindMemory(to: Int64.self, capacity: slots)
      kept.initialize(repeating: -1, count: slots)
      keyGuesses = (block + guessesOffset).bindMemory(
        to: KeyGuess.self,
        capacity: KeyGuess.capacity
      )
      keyGuesses.initialize(repeating: KeyGuess(), count: KeyGuess.capacity)
      inlineArrayKeysStart = (block + keysOffset).bindMemory(
        to: Int32.self,
        capacity: Storage.inlineArrayKeys
      )
      arrayKeys = inlineArrayKeysStart
      inlineArenaStart = (block + arenaOffset).bindMemory(
        to: UInt8.self,
        capacity: Storage.inlineArena
      )
      arena = inlineArenaStart
    }

    deinit {
      values.deinitialize(count: max(count, 1))
      paddedVersions.deinitialize(count: max(count, 1))
      if arena != inlineArenaStart { arena.deallocate() }
      if arrayKeys != inlineArrayKeysStart { arrayKeys.deallocate() }
      block.deallocate()
    }

    /// Copies a pending string's bytes into ``arena``; returns its ``pending`` entry.
    @inline(__always)
    func keep(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int64 {
      if arenaCount + count > arenaCapacity {
        while arenaCount + count > arenaCapacity { arenaCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: arenaCapacity)
        grown.update(from: arena, count: arenaCount)
        if arena != inlineArenaStart { arena.deallocate() }
        arena = grown
      }
      (arena + arenaCount).update(from: bytes, count: count)
      let entry = Int64(arenaCount) << 32 | Int64(count)
      arenaCount += count
      return entry
    }

    /// Forgets every pending string's bytes (the caller clears ``pending``).
    func clearPending() {
      arenaCount = 0
    }

    /// Appends a key id to ``arrayKeys``.
    @inline(__always)
    func appendArrayKey(_ key: Int32) {
      if arrayKeyCount == arrayKeyCapacity {
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: arrayKeyCapacity * 2)
        grown.update(from: arrayKeys, count: arrayKeyCount)
        if arrayKeys != inlineArrayKeysStart { arrayKeys.deallocate() }
        arrayKeys = grown
        arrayKeyCapacity *= 2
      }
      arrayKeys[arrayKeyCount] = key
      arrayKeyCount += 1
    }
  }

  let layout: ObjectIdentifier
  private(set) var storage: Storage

  /// The storage without a reference count, for a caller inside the library
  /// that keeps this profile alive and unchanged while it uses the result.
  var unmanagedStorage: Unmanaged<Storage> { Unmanaged.passUnretained(storage) }

  private var summaries: UnsafeMutablePointer<Summary> { storage.summaries }
  private var values: UnsafeMutablePointer<JSONValue> { storage.values }

  init(_ flat: FlatRules) {
    layout = ObjectIdentifier(flat)
    storage = Storage(count: flat.slotPaths.count, owner: flat)
    resetVersions(flat)
  }

  /// Missing attributes read as null, whose padded version is "0".
  private func resetVersions(_ flat: FlatRules) {
    guard !flat.paddedOperands.isEmpty else { return }
    let zero = Version.paddedNull
    let flags = flat.profileLayout.slotFlags
    for slot in 0..<flags.count where flags[slot] & ProfileLayout.isVersion != 0 {
      storage.paddedVersions[slot] = zero
    }
  }

  /// Clears every slot for reuse, taking fresh storage if the current one is shared.
  mutating func reset(_ flat: FlatRules) {
    guard isKnownUniquelyReferenced(&storage) else {
      storage = Storage(count: flat.slotPaths.count, owner: flat)
      resetVersions(flat)
      return
    }
    let summaries = storage.summaries
    let values = storage.values
    let versions = storage.paddedVersions
    let pending = storage.pending
    if storage.valuesMayOwnMemory {
      values.update(repeating: .null, count: storage.count)
      storage.valuesMayOwnMemory = false
    } else {
      // Trivial values: nothing to release.
      values.initialize(repeating: .null, count: storage.count)
    }
    summaries.update(repeating: Summary(kind: .null, key: -1, number: 0), count: storage.count)
    pending.update(repeating: -1, count: storage.count)
    storage.kept.update(repeating: -1, count: storage.count)
    let versionSlots = flat.profileLayout.versionSlots
    if !versionSlots.isEmpty {
      let zero = Version.paddedNull
      for slot in versionSlots { versions[Int(slot)] = zero }
    }
    storage.arrayKeyCount = 0
    storage.clearPending()
  }

  /// Prepares a profile value.
  init(_ flat: FlatRules, root: JSONValue) {
    self.init(flat)
    read(flat, root: root)
  }

  /// Sets every (cleared) slot from a profile value.
  private mutating func read(_ flat: FlatRules, root: JSONValue) {
    for slot in 0..<flat.slotPaths.count {
      set(slot, ConditionEvaluator.resolve(flat.slotPaths[slot], in: root), flat)
    }
  }

  /// Prepares a profile from the JSON text of an object, decoding only the
  /// top-level fields some rule reads (the others are validated and skipped).
  init(
    _ flat: FlatRules,
    json bytes: UnsafeBufferPointer<UInt8>,
    maxDepth: Int
  ) throws(JSONReader.SyntaxError) {
    self.init(flat)
    try read(flat, json: bytes, maxDepth: maxDepth)
  }

  // Every profile text is read one of two ways: by the fast reader
  // (``ProfileFastReader``), which declines rather than fails, or else by the
  // full reader (``JSONReader``), whose value then sets the slots. Errors are
  // always the full reader's.

  /// Reads a profile's JSON text into the (cleared) slots.
  mutating func read(
    _ flat: FlatRules,
    json bytes: UnsafeBufferPointer<UInt8>,
    maxDepth: Int
  )
    throws(JSONReader.SyntaxError)
  {
    if let base = bytes.baseAddress {
      let start = JSONBytes.skipWhitespace(base, 0, bytes.count)
      if start < bytes.count, base[start] == UInt8(ascii: "{") {
        let reader = ProfileFastReader(
          bytes,
          maxDepth: maxDepth,
          layout: flat.profileLayout,
          storage: storage
        )
        let end = reader.object(start, node: 0, depth: 1)
        if end >= 0 && reader.skipSpace(end) == bytes.count { return }
        // The fast reader declined: the full reader reads again from a clean slate.
        reset(flat)
      }
    }
    // A value that is not an object resolves no attribute, but must be valid JSON.
    read(flat, root: try JSONReader(maxDepth: maxDepth).read(bytes).value)
  }

  /// Reads the object that opens at `offset` of a larger JSON text into this
  /// profile, clearing it first (or, if it was prepared for other rules, taking
  /// fresh storage for `flat`); returns the offset just past its closing brace.
  mutating func prepare(
    _ flat: FlatRules,
    json text: UnsafeBufferPointer<UInt8>,
    objectAt offset: Int,
    maxDepth: Int
  ) throws(JSONReader.SyntaxError) -> Int {
    if layout != ObjectIdentifier(flat) {
      self = PreparedProfile(flat)
    } else {
      reset(flat)
    }
    return try read(flat, objectIn: text, at: offset, maxDepth: maxDepth)
  }

  /// Reads the object that opens at `offset` of a larger JSON text into the
  /// (cleared) slots; returns the offset just past its closing brace.
  mutating func read(
    _ flat: FlatRules,
    objectIn text: UnsafeBufferPointer<UInt8>,
    at offset: Int,
    maxDepth: Int
  )
    throws(JSONReader.SyntaxError) -> Int
  {
    precondition(
      offset >= 0 && offset < text.count && text[offset] == UInt8(ascii: "{"),
      "no object at the offset"
    )
    let reader = ProfileFastReader(
      text,
      maxDepth: maxDepth,
      layout: flat.profileLayout,
      storage: storage
    )
    let end = reader.object(offset, node: 0, depth: 1)
    if end >= 0 { return end }
    // The fast reader declined: the full reader reads again from a clean slate.
    reset(flat)
    let (root, rootEnd) = try JSONReader(maxDepth: maxDepth).read(text, valueAt: offset)
    read(flat, root: root)
    return rootEnd
  }

  private mutating func set(_ slot: Int, _ value: JSONValue, _ flat: FlatRules) {
    let layout = flat.profileLayout
    storage.valuesMayOwnMemory = true
    values[slot] = value
    if layout.slotFlags[slot] & ProfileLayout.isVersion != 0 {
      storage.paddedVersions[slot] = Version.padded(value)
    }
    switch value {
    case .null: summaries[slot] = Summary(kind: .null, key: -1, number: 0)
    case .bool(let flag): summaries[slot] = Summary(kind: .bool, key: -1, number: flag ? 1 : 0)
    case .number(let number): summaries[slot] = Summary(kind: .number, key: -1, number: number)
    case .string(let text):
      let table = layout.slotTable[slot]
      let key = table >= 0 ? layout.lookup(table, text) : -1
      // One pass over the UTF-8: a date-time's instant is parsed here once, not per
      // decision, and tests that read bytes find them kept, without retaining the string.
      let flags = layout.slotFlags[slot]
      var instant = 0.0
      if flags & (ProfileLayout.isTime | ProfileLayout.needsString) != 0 {
        var copy = text
        let storage = self.storage
        copy.withUTF8 { bytes in
          if flags & ProfileLayout.isTime != 0 { instant = DateTime.parse(bytes: bytes) ?? .nan }
          guard flags & ProfileLayout.needsString != 0 else { return }
          storage.kept[slot] =
            bytes.baseAddress.map { storage.keep($0, bytes.count) }
            ?? Int64(storage.arenaCount) << 32
        }
      }
      summaries[slot] = Summary(kind: .string, key: key, number: instant)
    case .array(let elements) where layout.slotFlags[slot] & ProfileLayout.keysOnly != 0:
      // Only key tests read the slot: its string elements as key ids, as the byte reader keeps them.
      let table = layout.slotTable[slot]
      let first = storage.arrayKeyCount
      for case .string(let text) in elements {
        let key = table >= 0 ? layout.lookup(table, text) : -1
        if key >= 0 { storage.appendArrayKey(key) }
      }
      summaries[slot] = Summary(
        kind: .keyArray,
        key: Int32(first),
        number: Double(storage.arrayKeyCount - first)
      )
    case .array: summaries[slot] = Summary(kind: .array, key: -1, number: 0)
    case .object: summaries[slot] = Summary(kind: .object, key: -1, number: 0)
    }
  }
}
