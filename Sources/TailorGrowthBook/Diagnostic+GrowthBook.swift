import Tailor

extension Diagnostic.Code {
  // GrowthBook payloads
  /// An encrypted payload section came without a decryption key.
  public static let missingDecryptionKey: Diagnostic.Code = "missing_decryption_key"
  /// An encrypted payload section did not decrypt to JSON.
  public static let decryptionFailed: Diagnostic.Code = "decryption_failed"
}
