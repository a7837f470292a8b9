namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>A backup's validation state as this replica knows it.</summary>
internal enum ValidationState
{
    /// <summary>Not checked by this replica since it started.</summary>
    NotValidated,

    /// <summary>Every hash and object checked out.</summary>
    Valid,

    /// <summary>The backup failed validation; <see cref="ValidationDocument.Error"/> says why.</summary>
    Invalid,
}
