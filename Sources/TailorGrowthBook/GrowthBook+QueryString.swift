import Tailor

extension GrowthBook {
  /// GrowthBook's `getQueryStringOverride`: the variation forced by a query
  /// string item `key=index` in `url`, or `nil`.
  ///
  /// The first item named `key` counts; its value is read as JavaScript's
  /// `parseInt` reads it and must be a variation index.
  ///
  /// - Parameters:
  ///   - key: The experiment key.
  ///   - url: The request URL.
  ///   - variationCount: The experiment's number of variations.
  /// - Returns: The index, or `nil` when there is no such item or it is not a valid index.
  public static func queryStringOverride(
    _ key: String,
    url: String,
    variationCount: Int
  ) -> Int? {
    let parts = url.split(separator: "?", omittingEmptySubsequences: false)
    guard parts.count > 1 else { return nil }
    var search = parts[1]
    if let anchor = search.firstIndex(of: "#") { search = search[..<anchor] }
    guard !search.isEmpty else { return nil }
    for item in search.split(separator: "&", omittingEmptySubsequences: false) {
      let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard pair[0] == key else { continue }
      guard pair.count == 2, let index = parseInt(pair[1]), index >= 0, index < variationCount
      else { return nil }
      return index
    }
    return nil
  }

  /// JavaScript's `parseInt(text)` in base 10: optional white space and sign,
  /// then the leading digits; `nil` (NaN) when there are none.
  private static func parseInt(_ text: Substring) -> Int? {
    var scalars = text.unicodeScalars.drop { $0.properties.isWhitespace }
    var negative = false
    if let sign = scalars.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      scalars = scalars.dropFirst()
    }
    let digits = scalars.prefix { $0.value >= 48 && $0.value <= 57 }
    guard !digits.isEmpty else { return nil }
    // Beyond 18 digits the index is out of range anyway.
    guard digits.count <= 18, let value = Int(String(String.UnicodeScalarView(digits))) else {
      return negative ? -1 : Int.max
    }
    return negative ? -value : value
  }
}
