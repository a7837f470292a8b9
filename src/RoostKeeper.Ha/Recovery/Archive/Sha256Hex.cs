using System.Security.Cryptography;

namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>SHA-256 as lower-case hex, the form every hash in a backup is written in (as sha256sum prints it).</summary>
internal static class Sha256Hex
{
    public static string Of(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        return Format(hash);
    }

    public static string Format(ReadOnlySpan<byte> hash)
    {
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(hash);
#else
        return string.Create(hash.Length * 2, hash.ToArray(), static (chars, bytes) =>
        {
            const string digits = "0123456789abcdef";
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = digits[bytes[i] >> 4];
                chars[(2 * i) + 1] = digits[bytes[i] & 0xF];
            }
        });
#endif
    }
}
