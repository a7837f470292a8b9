namespace RoostKeeper.Ha.Recovery.Resources;

/// <summary>One listed object: where it lives and its JSON (with apiVersion and kind), as UTF-8.</summary>
internal sealed record ListedObject(string? Namespace, string Name, string Kind, ReadOnlyMemory<byte> Json);
