using System.Text.RegularExpressions;
using RoostKeeper.Ha.Testing.Api;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>
/// The API server's object-name rules (apimachinery's IsDNS1123Label and IsDNS1123Subdomain): namespaces are
/// lowercase RFC 1123 labels of at most 63 characters, other objects lowercase RFC 1123 subdomains of at most
/// 253; and generateName's random suffix. The core package's options validator applies the same subdomain
/// rule to the Lease name.
/// </summary>
internal static partial class ObjectNames
{
    /// <summary>Throws 422 Invalid, with the API server's message, for a name the type does not allow.</summary>
    public static void Validate(ResourceType type, string name)
    {
        var valid = type == ResourceRegistry.Namespaces ? IsDnsLabel(name) : IsDnsSubdomain(name);
        if (!valid)
        {
            var rule = type == ResourceRegistry.Namespaces
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
            throw ApiException.Invalid(type, name, $"metadata.name: Invalid value: \"{name}\": {rule}");
        }
    }

    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    public static bool IsDnsSubdomain(string name) => name.Length <= 253 && DnsSubdomain().IsMatch(name);

    /// <summary>The five characters the API server appends to generateName, from its alphabet without vowels.</summary>
    public static string RandomSuffix(int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
