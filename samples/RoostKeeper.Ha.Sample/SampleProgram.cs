using System.Runtime.InteropServices;
using RoostKeeper.Ha.Sample.Hosting;
using RoostKeeper.Ha.Sample.Walkthrough;
using Spectre.Console;

namespace RoostKeeper.Ha.Sample;

/// <summary>Chooses the mode from the command line and runs it until done or Ctrl+C.</summary>
internal static class SampleProgram
{
    public const int Success = 0;
    public const int StepsFailed = 1;
    public const int BadArguments = 2;

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        SampleOptions options;
        try
        {
            options = SampleOptions.Parse(args);
            if (options.Step is { } step && !WalkthroughRunner.StepNames.Contains(step))
            {
                throw new ArgumentException($"Unknown step {step}; the steps are: {string.Join(", ", WalkthroughRunner.StepNames)}.");
            }
        }
        catch (ArgumentException e)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            console.WriteLine(Usage());
            return BadArguments;
        }

        if (options.Help)
        {
            console.WriteLine(Usage());
            return Success;
        }

        // Ctrl+C (SIGINT) or SIGTERM: stop cleanly (replicas release their Lease, the simulator shuts down)
        // instead of being killed.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        if (options.RealCluster)
        {
            return await RealClusterReplica.RunAsync(options, console, stop.Token);
        }

        await using var walkthrough = new WalkthroughRunner(options, console);
        return await walkthrough.RunAsync(stop.Token);
    }

    private static string Usage() => SampleOptions.Usage.Replace("{steps}", string.Join(", ", WalkthroughRunner.StepNames), StringComparison.Ordinal);
}
