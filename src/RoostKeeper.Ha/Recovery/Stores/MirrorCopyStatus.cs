namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>One copy of a backup in a <see cref="MirroredBackupStore"/>.</summary>
/// <param name="Store">The store holding the copy (its description).</param>
/// <param name="State">The copy's state.</param>
/// <param name="Detail">What was found wrong, when the copy is not valid.</param>
public sealed record MirrorCopyStatus(string Store, MirrorCopyState State, string? Detail = null);
