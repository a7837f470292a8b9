using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>Server-side apply: the one write that merges a configuration with field ownership.</summary>
internal sealed partial class ObjectStore
{
    /// <summary>
    /// Server-side apply: creates the object from the configuration, or merges the configuration into it
    /// with field ownership and conflicts (<see cref="ServerSideApply"/>), then stores it as a create or
    /// an update would.
    /// </summary>
    public JsonObject Apply(ResourceType type, string? ns, string name, JsonObject applied, string manager, bool force, bool statusOnly, bool dryRun = false)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var metadata = ObjectMeta.Of(applied);
            if (metadata["name"]?.GetValue<string>() is { Length: > 0 } bodyName && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            metadata["name"] = name;
            var existing = Bucket(type).GetValueOrDefault((ns ?? "", name));
            var merged = ServerSideApply.Apply(type, existing, applied, manager, force, Time.GetUtcNow());
            if (existing is null)
            {
                return Create(type, ns, merged, dryRun);
            }

            var expectedVersion = ObjectMeta.ResourceVersion(applied);
            if (!string.IsNullOrEmpty(expectedVersion) && expectedVersion != ObjectMeta.ResourceVersion(existing))
            {
                throw ApiException.Conflict(type, name, ConflictMessage);
            }

            return Update(type, existing, merged, statusOnly);
        }
    }
}
