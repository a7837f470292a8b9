namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>One step of the walk-through: it acts, checks its own outcome (throwing <see cref="StepFailedException"/>) and returns what happened.</summary>
internal sealed record WalkthroughStep(string Name, string Title, IReadOnlyList<string> Requires, Func<WalkthroughRunner, CancellationToken, Task<string>> Run);
