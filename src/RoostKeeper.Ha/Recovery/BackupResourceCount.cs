namespace RoostKeeper.Ha.Recovery;

/// <summary>How many objects of one resource type a backup holds.</summary>
/// <param name="Group">The API group ("" for core).</param>
/// <param name="Version">The API version.</param>
/// <param name="Plural">The resource's plural name.</param>
/// <param name="Kind">The objects' kind.</param>
/// <param name="Count">The number of objects.</param>
public sealed record BackupResourceCount(string Group, string Version, string Plural, string Kind, long Count);
