namespace RoostKeeper.Ha.Fencing;

/// <summary>
/// A fenced write was refused because the object's term stamp cannot be ordered against this term: it is not
/// a stamp at all, it names another Lease, or it claims this very term for another holder. The fence fails
/// closed: nothing was written. If the object is yours, remove or correct the annotation named in the message
/// (the next write stamps it again); if it belongs to another controller, do not fence it with this Lease.
/// </summary>
public sealed class InvalidTermStampException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="objectReference">The object, as "Kind namespace/name".</param>
    /// <param name="annotation">The annotation that holds the stamp.</param>
    /// <param name="value">The value found (cut to <see cref="TermStamp.MaxLength"/> characters).</param>
    /// <param name="term">The stamp of the term that tried to write.</param>
    /// <param name="reason">Why the value cannot be trusted.</param>
    public InvalidTermStampException(string objectReference, string annotation, string value, TermStamp term, string reason)
        : base($"Refused to write {objectReference} in term {term.Term} of Lease {term.LeaseNamespace}/{term.LeaseName}: its annotation {annotation}=\"{Cut(value)}\" {reason}. If the object is this controller's, remove the annotation (kubectl annotate {Kind(objectReference)} {annotation}-) and the next write stamps it; otherwise do not fence it with this Lease.")
    {
        ObjectReference = objectReference;
        Annotation = annotation;
        Value = Cut(value);
        Term = term;
        Reason = reason;
    }

    /// <summary>The object whose write was refused, as "Kind namespace/name".</summary>
    public string ObjectReference { get; }

    /// <summary>The annotation that holds the stamp.</summary>
    public string Annotation { get; }

    /// <summary>The value found (at most <see cref="TermStamp.MaxLength"/> characters).</summary>
    public string Value { get; }

    /// <summary>The term that tried to write (this replica's).</summary>
    public TermStamp Term { get; }

    /// <summary>Why the value cannot be trusted, e.g. "is not a term stamp".</summary>
    public string Reason { get; }

    private static string Cut(string value) => value.Length > TermStamp.MaxLength ? value[..TermStamp.MaxLength] + "…" : value;

    // "ConfigMap ns/name" -> "configmap name -n ns", for the kubectl hint.
    private static string Kind(string reference)
    {
        var parts = reference.Split(' ', 2);
        if (parts.Length != 2)
        {
            return reference;
        }

        var slash = parts[1].IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? $"{parts[0].ToLowerInvariant()} {parts[1]}"
            : $"{parts[0].ToLowerInvariant()} {parts[1][(slash + 1)..]} -n {parts[1][..slash]}";
    }
}
