namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>What a store holds: the backups it could read, and the entries it could not.</summary>
/// <param name="Backups">The complete backups, in no particular order.</param>
/// <param name="Unreadable">
/// Entries that look like a backup's info but are not one that can be listed (a foreign file such as a
/// README.json, an info file that does not parse, one that names another backup, an info without its
/// archive), each named; empty when everything could be read. They never stop the listing.
/// </param>
public sealed record BackupListing(IReadOnlyList<BackupInfo> Backups, IReadOnlyList<UnreadableStoreEntry> Unreadable);
