using System.Globalization;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Fencing;

/// <summary>
/// Who wrote an object and in which term: the Lease (namespace and name) whose term it is, the term (the
/// Lease's <c>leaseTransitions</c> when the term was won, <see cref="Leadership.Term"/>) and the holder.
/// Written by <see cref="TermFence"/> as the value of its annotation, <c>"{term}/{namespace}/{name}/{holder}"</c>,
/// e.g. <c>"7/roost-system/roost-keeper/roost-keeper-6d9f-x2k4q"</c>.
/// </summary>
/// <remarks>
/// Terms of one Lease are ordered (every acquisition writes a higher one); terms of two Leases are not, so a
/// stamp names its Lease and a fence refuses a stamp of another Lease rather than compare the numbers.
/// </remarks>
public sealed class TermStamp : IEquatable<TermStamp>
{
    /// <summary>The longest stamp <see cref="TryParse"/> reads (annotation values are the writer's, so bounded).</summary>
    public const int MaxLength = 512;

    /// <summary>Creates a stamp.</summary>
    /// <param name="term">The term, 0 or more.</param>
    /// <param name="leaseNamespace">The namespace of the Lease, without '/'.</param>
    /// <param name="leaseName">The name of the Lease, without '/'.</param>
    /// <param name="holder">The identity that holds the term; not empty.</param>
    /// <exception cref="ArgumentException">A part is empty, a namespace or name contains '/', or the stamp would be longer than <see cref="MaxLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="term"/> is negative.</exception>
    public TermStamp(long term, string leaseNamespace, string leaseName, string holder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(term);
        ArgumentException.ThrowIfNullOrEmpty(leaseNamespace);
        ArgumentException.ThrowIfNullOrEmpty(leaseName);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        if (leaseNamespace.Contains('/', StringComparison.Ordinal) || leaseName.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A Lease namespace or name cannot contain '/' ({leaseNamespace}/{leaseName}).", nameof(leaseName));
        }

        Term = term;
        LeaseNamespace = leaseNamespace;
        LeaseName = leaseName;
        Holder = holder;
        if (ToString().Length > MaxLength)
        {
            throw new ArgumentException($"The stamp would be longer than {MaxLength} characters; use a shorter identity.", nameof(holder));
        }
    }

    /// <summary>The term: the Lease's <c>leaseTransitions</c> when it was won.</summary>
    public long Term { get; }

    /// <summary>The namespace of the Lease whose term this is.</summary>
    public string LeaseNamespace { get; }

    /// <summary>The name of the Lease whose term this is.</summary>
    public string LeaseName { get; }

    /// <summary>The identity that held the term.</summary>
    public string Holder { get; }

    /// <summary>The stamp of a term this replica leads.</summary>
    /// <param name="leadership">The term, as passed to <c>OnStartedLeading</c>.</param>
    /// <returns>The stamp.</returns>
    public static TermStamp From(Leadership leadership)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        return new TermStamp(leadership.Term, leadership.LeaseNamespace, leadership.LeaseName, leadership.Identity);
    }

    /// <summary>Reads a stamp as <see cref="ToString"/> writes it.</summary>
    /// <param name="value">The annotation's value; may be anything (other writers can set it).</param>
    /// <param name="stamp">The stamp, when the value is one.</param>
    /// <returns>Whether <paramref name="value"/> is a well-formed stamp: digits only for the term (no sign, no spaces),
    /// non-empty parts, at most <see cref="MaxLength"/> characters.</returns>
    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TermStamp? stamp)
    {
        stamp = null;
        if (value is null || value.Length > MaxLength)
        {
            return false;
        }

        // The holder comes last and may contain '/'; namespace and name cannot.
        var parts = value.Split('/', 4);
        if (parts.Length != 4 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiDigit)
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var term)
            || parts[1].Length == 0 || parts[2].Length == 0 || parts[3].Length == 0)
        {
            return false;
        }

        stamp = new TermStamp(term, parts[1], parts[2], parts[3]);
        return true;
    }

    /// <summary>Whether both stamps name the same Lease.</summary>
    /// <param name="other">The other stamp.</param>
    /// <returns>True when namespace and name match.</returns>
    public bool SameLease(TermStamp other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return LeaseNamespace == other.LeaseNamespace && LeaseName == other.LeaseName;
    }

    /// <inheritdoc/>
    public bool Equals(TermStamp? other) =>
        other is not null && Term == other.Term && SameLease(other) && Holder == other.Holder;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TermStamp);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Term, LeaseNamespace, LeaseName, Holder);

    /// <summary>The annotation value: <c>"{term}/{namespace}/{name}/{holder}"</c>.</summary>
    /// <returns>The value.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Term}/{LeaseNamespace}/{LeaseName}/{Holder}");
}
