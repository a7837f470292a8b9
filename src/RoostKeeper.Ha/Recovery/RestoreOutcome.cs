namespace RoostKeeper.Ha.Recovery;

/// <summary>What happened (or, in a dry run, would happen) to one object of a restore.</summary>
public enum RestoreOutcome
{
    /// <summary>The object did not exist and was created.</summary>
    Created,

    /// <summary>The object existed, differed, and was replaced (policy <see cref="ExistingObjectPolicy.Update"/>).</summary>
    Updated,

    /// <summary>The object existed, differed, and was left alone (policy <see cref="ExistingObjectPolicy.Skip"/>).</summary>
    Skipped,

    /// <summary>The object existed and already equals the backup's.</summary>
    Unchanged,

    /// <summary>Writing the object failed; <see cref="RestoredObject.Error"/> says why.</summary>
    Failed,

    /// <summary>Dry run: the object does not exist and would be created.</summary>
    WouldCreate,

    /// <summary>Dry run: the object exists, differs, and would be replaced.</summary>
    WouldUpdate,
}
