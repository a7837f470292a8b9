using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>
/// One change as a watcher sees it. <see cref="Object"/> is the stored snapshot: it is shared between
/// watchers and must be treated as read-only (clone before changing it).
/// </summary>
internal sealed record WatchEvent(string Type, JsonObject Object, long ResourceVersion);
