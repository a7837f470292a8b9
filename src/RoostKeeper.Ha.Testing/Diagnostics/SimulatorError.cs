namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Something that went wrong inside a <see cref="SimulatedCluster"/> rather than in the code under test: a
/// simulated controller's reconcile that failed in an unexpected way, or a request that the server answered
/// with 500 because of its own fault. A test can assert <c>Assert.Empty(cluster.Errors)</c> so that a
/// simulator bug fails loudly instead of showing up as a timeout.
/// </summary>
/// <param name="Source">Where it happened, e.g. "DeploymentController reconcile web/api" or "ApiServer POST /api/v1/namespaces".</param>
/// <param name="Exception">What was thrown.</param>
/// <param name="Time">When, on the cluster's <see cref="SimulatedClusterOptions.TimeProvider"/>.</param>
public sealed record SimulatorError(string Source, Exception Exception, DateTimeOffset Time)
{
    /// <summary>One line for a test failure message.</summary>
    /// <returns>Source, exception type and message.</returns>
    public override string ToString() => $"{Time:O} {Source}: {Exception.GetType().Name}: {Exception.Message}";
}
