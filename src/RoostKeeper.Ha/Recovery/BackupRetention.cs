namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// Which backups to keep. After each successful, verified backup, backups beyond <see cref="Count"/> (newest
/// first) or older than <see cref="MaxAge"/> are deleted; the newest backup (the one just verified) is never
/// deleted, so a store never ends without a valid backup through retention.
/// </summary>
/// <param name="Count">Keep at most this many backups; null for no limit. At least 1.</param>
/// <param name="MaxAge">Delete backups older than this; null for no limit. Positive.</param>
public sealed record BackupRetention(int? Count, TimeSpan? MaxAge);
