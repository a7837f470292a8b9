namespace RoostKeeper.Ha.TestUtilities;

/// <summary>The <see cref="SimulatedOnlyFactAttribute"/> of data-driven tests: skipped, saying why, against a real cluster.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SimulatedOnlyTheoryAttribute : TheoryAttribute
{
    public SimulatedOnlyTheoryAttribute(string needs)
    {
        if (TestCluster.RealKubeconfig is not null)
        {
            Skip = $"Needs the SimulatedCluster ({needs}); ROOSTHA_TEST_KUBECONFIG points at a real cluster.";
        }
    }
}
