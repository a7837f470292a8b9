using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>The JSON settings of the manifest and of <see cref="BackupInfo"/>: camelCase, nulls left out.</summary>
internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
