using Microsoft.Extensions.Hosting;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// The lifetime of the web host inside a <see cref="SimulatedCluster"/>: it starts at once and stops only
/// when the cluster is disposed. Unlike the default <c>ConsoleLifetime</c> it registers no handler for
/// SIGTERM, SIGINT, SIGQUIT or Ctrl+C, which belong to the program that embeds the simulator.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
