import Crypto
import Foundation
import Tailor
import _CryptoExtras

extension GrowthBook {
  /// Why an encrypted payload section could not be decrypted.
  public struct DecryptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A one-line, lower-case reason.
    public var message: String

    /// The reason.
    public var description: String { message }
  }

  /// Decrypts an encrypted payload section, as GrowthBook's SDKs do.
  ///
  /// GrowthBook encrypts `features` and `savedGroups` with AES-CBC and PKCS #7
  /// padding, and writes the result as `iv.ciphertext`, both in base64. The key
  /// is the SDK connection's decryption key, also in base64 (16, 24 or 32 bytes).
  ///
  /// ```swift
  /// let features = try GrowthBook.decrypt(payload.encryptedFeatures, key: "Zvwv/+uhpFDznZ6SX28Yjg==")
  /// ```
  ///
  /// - Parameters:
  ///   - encrypted: The section's text, `iv.ciphertext`.
  ///   - key: The decryption key in base64.
  /// - Returns: The decrypted text (normally JSON, though it is not parsed here).
  /// - Throws: ``DecryptionError`` when the key or the text is malformed, or
  ///   when the key is wrong (the padding or the UTF-8 does not check out).
  public static func decrypt(_ encrypted: String, key: String) throws(DecryptionError) -> String {
    guard let keyBytes = Data(base64Encoded: key) else {
      throw DecryptionError(message: "the decryption key is not base64")
    }
    guard [16, 24, 32].contains(keyBytes.count) else {
      throw DecryptionError(
        message: "the decryption key is \(keyBytes.count) bytes; AES needs 16, 24 or 32"
      )
    }
    let parts = encrypted.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2 else {
      throw DecryptionError(message: "expected `iv.ciphertext`, with one `.`")
    }
    guard let ivBytes = Data(base64Encoded: String(parts[0])) else {
      throw DecryptionError(message: "the initialization vector is not base64")
    }
    guard let ciphertext = Data(base64Encoded: String(parts[1])) else {
      throw DecryptionError(message: "the ciphertext is not base64")
    }
    let iv: AES._CBC.IV
    do {
      iv = try AES._CBC.IV(ivBytes: ivBytes)
    } catch {
      throw DecryptionError(
        message: "the initialization vector is \(ivBytes.count) bytes; AES-CBC needs 16"
      )
    }
    let plain: Data
    do {
      plain = try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: keyBytes), iv: iv)
    } catch {
      throw DecryptionError(message: "decryption failed; the key is probably wrong")
    }
    guard let text = String(validating: plain, as: UTF8.self) else {
      throw DecryptionError(message: "the decrypted text is not UTF-8; the key is probably wrong")
    }
    return text
  }
}
