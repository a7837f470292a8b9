namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>An entry of a store that looks like a backup's info but cannot be listed as a backup.</summary>
/// <param name="Name">The entry as the store names it: a file path, an S3 key, prefixed by the side for a mirror.</param>
/// <param name="Reason">Why it is not listed, e.g. "not a backup info: ...", "names backup X".</param>
public sealed record UnreadableStoreEntry(string Name, string Reason);
