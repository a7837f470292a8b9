namespace RoostKeeper.Ha.Recovery;

/// <summary>How a backup is encrypted. Holds no secret: the key id only identifies which key is needed.</summary>
/// <param name="Algorithm">Always "AES-256-GCM".</param>
/// <param name="KeyId">The id of the key (derived from the key, see docs/recovery.md), so a wrong key is named as such.</param>
/// <param name="ChunkSize">Plaintext bytes per encrypted chunk.</param>
public sealed record BackupEncryptionInfo(string Algorithm, string KeyId, int ChunkSize);
