namespace RoostKeeper.Ha.Recovery.Resources;

/// <summary>One page of a paged list: its objects as the JSON to store, and the continue token, if more follow.</summary>
internal sealed record ResourcePage(IReadOnlyList<ListedObject> Items, string? Continue);
