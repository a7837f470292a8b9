namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>The JSON of a backup's validation state.</summary>
/// <param name="State">The state.</param>
/// <param name="CheckedAt">When it was checked, if it was.</param>
/// <param name="CheckedBy">The replica that checked it.</param>
/// <param name="How">"validation", "verified after write" or "restore".</param>
/// <param name="Error">Why it is invalid.</param>
internal sealed record ValidationDocument(ValidationState State, DateTimeOffset? CheckedAt, string? CheckedBy, string? How, string? Error)
{
    public static readonly ValidationDocument NotValidated = new(ValidationState.NotValidated, null, null, null, null);
}
