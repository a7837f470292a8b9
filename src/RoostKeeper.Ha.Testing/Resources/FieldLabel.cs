namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// A field a kind can be selected by (<c>fieldSelector</c>): where its value is in the stored object and
/// what it reads as when the field is absent (Go's zero value: "false" for a bool, "0" for a count).
/// </summary>
/// <param name="Path">The dotted path in the stored object, e.g. "status.succeeded" for a Job's "status.successful".</param>
/// <param name="Absent">The value an object without the field has.</param>
internal sealed record FieldLabel(string Path, string Absent = "");
