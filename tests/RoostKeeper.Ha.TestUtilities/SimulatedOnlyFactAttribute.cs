namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// A test that needs the SimulatedCluster itself (fault injection, the simulated controllers' image
/// rules, forced watch compaction): it runs on the simulation and is skipped, saying why, when the suite
/// targets a real cluster through ROOSTHA_TEST_KUBECONFIG.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SimulatedOnlyFactAttribute : FactAttribute
{
    public SimulatedOnlyFactAttribute(string needs)
    {
        if (TestCluster.RealKubeconfig is not null)
        {
            Skip = $"Needs the SimulatedCluster ({needs}); ROOSTHA_TEST_KUBECONFIG points at a real cluster.";
        }
    }
}
