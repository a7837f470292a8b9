namespace RoostKeeper.Ha.Recovery;

/// <summary>Progress of a backup or a validation: objects handled so far and the resource type being read.</summary>
/// <param name="Resource">The resource type being read ("plural.group/version"), or "validate" while validating.</param>
/// <param name="Objects">Objects handled so far.</param>
/// <param name="Bytes">Object bytes handled so far.</param>
public sealed record BackupProgress(string Resource, long Objects, long Bytes);
