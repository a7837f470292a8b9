namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>The state of one copy of a backup in a <see cref="MirroredBackupStore"/>.</summary>
public enum MirrorCopyState
{
    /// <summary>The copy is there and its archive's SHA-256 matches its info.</summary>
    Valid,

    /// <summary>The store has no complete copy.</summary>
    Missing,

    /// <summary>The copy's archive does not match its recorded SHA-256.</summary>
    Corrupt,

    /// <summary>The store could not be reached or read.</summary>
    Unavailable,
}
