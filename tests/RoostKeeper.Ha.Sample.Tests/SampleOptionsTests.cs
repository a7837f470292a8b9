namespace RoostKeeper.Ha.Sample.Tests;

public sealed class SampleOptionsTests
{
    [Fact]
    public void Options_parse_and_configuration_arguments_pass_through()
    {
        var options = SampleOptions.Parse(["--step", "crash", "--keep-running", "--log-file", "/tmp/x.log", "--RoostHa:LeaseDuration=00:00:20", "--urls", "http://127.0.0.1:9000", "--ManagedRoost:WriteDelay=00:00:02", "--Logging:LogLevel:Default=Debug"]);

        Assert.Equal(("crash", true, "/tmp/x.log"), (options.Step, options.KeepRunning, options.LogFile));
        Assert.Equal(["--RoostHa:LeaseDuration=00:00:20", "--urls", "http://127.0.0.1:9000", "--ManagedRoost:WriteDelay=00:00:02", "--Logging:LogLevel:Default=Debug"], options.Configuration);
    }

    [Theory]
    [InlineData("--stpe", "Unknown option --stpe.")]
    [InlineData("--kubeconfig", "--kubeconfig needs a value.")]
    public void A_wrong_argument_is_refused_saying_which(string argument, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => SampleOptions.Parse([argument]));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_value_that_looks_like_an_option_is_not_taken_as_the_value()
    {
        Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--step", "--keep-running"]));
    }
}
