namespace RoostKeeper.Ha.Fencing;

/// <summary>
/// A fenced write was refused: the object was already written in a newer term of the same Lease, so another
/// replica has led since and this replica's term is over. Stop this term's work (the elector ends the term too
/// when it next reads the Lease); the current leader owns the object. Nothing was written.
/// </summary>
public sealed class StaleTermException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="objectReference">The object, as "Kind namespace/name".</param>
    /// <param name="term">The stamp of the term that tried to write.</param>
    /// <param name="newerTerm">The stamp found on the object.</param>
    public StaleTermException(string objectReference, TermStamp term, TermStamp newerTerm)
        : base($"Refused to write {objectReference} in term {term.Term} of Lease {term.LeaseNamespace}/{term.LeaseName} ({term.Holder}): it was written in term {newerTerm.Term} by {newerTerm.Holder}, so a newer leader exists. Stop this term's work; the current leader owns the object.")
    {
        ObjectReference = objectReference;
        Term = term;
        NewerTerm = newerTerm;
    }

    /// <summary>The object whose write was refused, as "Kind namespace/name".</summary>
    public string ObjectReference { get; }

    /// <summary>The term that tried to write (this replica's).</summary>
    public TermStamp Term { get; }

    /// <summary>The newer term the object was already written in.</summary>
    public TermStamp NewerTerm { get; }
}
