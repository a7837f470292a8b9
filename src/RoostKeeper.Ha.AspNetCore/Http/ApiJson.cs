using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>How the API writes and reads JSON: web defaults, enums by name, unknown fields refused.</summary>
internal static class ApiJson
{
    /// <summary>How answers are written (and how a follower reads the leader's).</summary>
    public static readonly JsonSerializerOptions Response = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = false,
    };

    /// <summary>How request bodies are read: unknown fields refused, enums by their exact name only (see <see cref="StrictEnumConverter"/>).</summary>
    public static readonly JsonSerializerOptions Request = new(JsonSerializerDefaults.Web)
    {
        Converters = { new StrictEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
