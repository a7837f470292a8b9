using System.Text.Json;
using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.AspNetCore.Forwarding;

/// <summary>
/// Turns <c>HaApiOptions.LeaderUrlTemplate</c> and a Lease holder into the leader's address. The holder
/// is written by whoever can update the Lease (every replica's service account), so it is untrusted input: it may
/// only ever fill the one DNS label the template reserves for it. The address is built from the template's
/// scheme, host and port with that label substituted (never by splicing text into a URL), and the result is
/// checked against the template again before anyone sends credentials to it.
/// </summary>
internal static partial class LeaderAddress
{
    /// <summary>The placeholder in the template.</summary>
    public const string Placeholder = "{leader}";

    // A DNS label no holder is likely to be, used to find where the placeholder sits in the template's host.
    private const string Sentinel = "roostha-leader-label-0";

    /// <summary>The rule <paramref name="template"/> must satisfy, or null when it does.</summary>
    public static string? Check(string template) => Parse(template, out _, out _) is { } reason
        ? $"HaApiOptions.LeaderUrlTemplate (\"{template}\") {reason}: it must be an absolute http or https URL of scheme, host and port with the placeholder {Placeholder} as one whole label of the host, such as \"http://{Placeholder}.roost-keeper-api.roost-keeper-system.svc:8080\"."
        : null;

    /// <summary>
    /// The leader's address for <paramref name="holder"/>, or null with the reason it is refused: the holder is
    /// not a DNS-1123 label (lower-case letters, digits and '-', 1 to 63, starting and ending with a letter or
    /// digit), or the address built from it is not the template's scheme, host pattern and port.
    /// </summary>
    public static Uri? TryBuild(string template, string holder, out string? reason)
    {
        if (Parse(template, out var sample, out var labels) is not null)
        {
            reason = "HaApiOptions.LeaderUrlTemplate is not valid";
            return null;
        }

        if (!Label().IsMatch(holder))
        {
            reason = "it is not a DNS-1123 label (lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit), as a pod name is";
            return null;
        }

        var host = string.Join('.', labels.Select(l => l == Sentinel ? holder : l));
        Uri address;
        try
        {
            address = new UriBuilder(sample.Scheme, host, sample.Port, "/").Uri;
        }
        catch (UriFormatException)
        {
            reason = "the address built from it is not a valid URL";
            return null;
        }

        // The label is already safe; this is the check that what is sent to is what the template names,
        // whatever the URL parser makes of the host (a numeric label alone parses as an IPv4 address).
        if (address.Scheme != sample.Scheme || address.Port != sample.Port || address.HostNameType != UriHostNameType.Dns
            || !string.Equals(address.Host, host, StringComparison.OrdinalIgnoreCase) || address.UserInfo.Length > 0
            || address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0)
        {
            reason = $"the address built from it ({address}) is not a host name of the template's form";
            return null;
        }

        reason = null;
        return address;
    }

    /// <summary>A holder as it may appear in a log line: quoted and escaped (no control characters, non-ASCII visible), and shortened.</summary>
    public static string Quote(string holder) =>
        JsonSerializer.Serialize(holder.Length <= 80 ? holder : holder[..80] + "…");

    private static string? Parse(string template, out Uri sample, out string[] labels)
    {
        sample = null!;
        labels = [];
        var first = template.IndexOf(Placeholder, StringComparison.Ordinal);
        if (first < 0)
        {
            return "has no placeholder " + Placeholder;
        }

        if (template.IndexOf(Placeholder, first + 1, StringComparison.Ordinal) >= 0)
        {
            return "has the placeholder more than once";
        }

        if (template.Contains(Sentinel, StringComparison.Ordinal)
            || !Uri.TryCreate(template.Replace(Placeholder, Sentinel, StringComparison.Ordinal), UriKind.Absolute, out var parsed))
        {
            return "is not an absolute URL";
        }

        if (parsed.Scheme is not ("http" or "https"))
        {
            return "is not http or https";
        }

        if (parsed.UserInfo.Length > 0 || parsed.AbsolutePath != "/" || parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            return "has more than scheme, host and port";
        }

        labels = parsed.HostNameType == UriHostNameType.Dns ? parsed.Host.Split('.') : [];
        if (!labels.Contains(Sentinel, StringComparer.Ordinal))
        {
            return "does not have the placeholder as a whole label of the host";
        }

        sample = parsed;
        return null;
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();
}
