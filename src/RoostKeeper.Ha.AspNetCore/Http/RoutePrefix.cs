namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>The one rule for route prefixes: empty, or a path that starts with '/' (a trailing '/' is dropped).</summary>
internal static class RoutePrefix
{
    public static string Validate(string? prefix, string optionName)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return "";
        }

        if (!prefix.StartsWith('/') || prefix.Contains('?', StringComparison.Ordinal) || prefix.Contains('#', StringComparison.Ordinal) || prefix.Contains('{', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{optionName} (\"{prefix}\") must be empty or a literal path that starts with '/', such as \"/ha\".", optionName);
        }

        return prefix.TrimEnd('/');
    }
}
