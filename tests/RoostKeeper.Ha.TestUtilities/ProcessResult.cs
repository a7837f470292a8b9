namespace RoostKeeper.Ha.TestUtilities;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"$ {CommandLine}\nexit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
