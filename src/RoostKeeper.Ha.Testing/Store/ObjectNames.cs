namespace RoostKeeper.Ha.Testing.Store;

/// <summary>
/// generateName's random suffix. The name rules themselves are the admission stage's
/// (<see cref="Admission.NameRules"/>, per kind).
/// </summary>
internal static class ObjectNames
{
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
}
