using RoostKeeper.Ha.Sample;
using Spectre.Console;

// The ManagedRoost controller sample. Without arguments: the embedded walk-through (three replicas on
// SimulatedCluster, every capability, a summary; exit code 0 only if every step passed). With --kubeconfig, or
// inside a pod: one real replica of the same controller. See docs/sample.md.
if (Console.IsOutputRedirected)
{
    // Piped or captured: Spectre.Console would wrap at 80 columns; keep each timeline line on one line instead.
    AnsiConsole.Console.Profile.Width = 200;
}

return await SampleProgram.RunAsync(args, AnsiConsole.Console, CancellationToken.None);
