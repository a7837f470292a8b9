using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>One page of a list: the stored snapshots (read-only), the list's resourceVersion and paging state.</summary>
internal sealed record ListResult(IReadOnlyList<JsonObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);
