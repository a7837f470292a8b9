using RoostKeeper.Ha.AspNetCore.Forwarding;

namespace RoostKeeper.Ha.AspNetCore.Tests.Forwarding;

/// <summary>
/// The Lease holder is written by anyone who can update the Lease: it may fill only the one DNS label the
/// template reserves for it, and every other holder gets no address at all (so no credentials are sent anywhere).
/// </summary>
public sealed class LeaderAddressTests
{
    private const string ServiceTemplate = "http://{leader}.replicas.test:8080";
    private const string BareTemplate = "https://{leader}:8443";

    public static TheoryData<string, string> HostileHolders => new()
    {
        { "userinfo", "x@127.0.0.1:9999/" },
        { "userinfo without path", "evil@attacker.test" },
        { "path", "127.0.0.1:9999/" },
        { "path only", "replica-0/admin" },
        { "query", "127.0.0.1:9999?" },
        { "fragment", "127.0.0.1:9999#" },
        { "percent-encoding", "%31%32%37.0.0.1" },
        { "percent-encoded at", "x%40attacker.test" },
        { "IPv4 literal", "127.0.0.1" },
        { "IPv6 brackets", "[::1]" },
        { "IPv6 bare", "::1" },
        { "port", "replica-0:1" },
        { "dot", "replica-0.attacker.test" },
        { "backslash", "replica-0\\@attacker.test" },
        { "Unicode homoglyph", "replic\u0430-0" },
        { "full-width", "\uff52eplica-0" },
        { "upper case", "Replica-0" },
        { "space", "replica 0" },
        { "leading space", " replica-0" },
        { "trailing newline", "replica-0\n" },
        { "CRLF", "replica-0\r\nX-Injected: 1" },
        { "tab", "replica-0\t" },
        { "NUL", "replica-0\0" },
        { "leading hyphen", "-replica" },
        { "trailing hyphen", "replica-" },
        { "overlong", new string('a', 64) },
        { "empty", "" },
        { "placeholder", "{leader}" },
    };

    [Theory]
    [MemberData(nameof(HostileHolders))]
    public void A_holder_that_is_not_a_DNS_label_gets_no_address(string what, string holder)
    {
        foreach (var template in new[] { ServiceTemplate, BareTemplate })
        {
            var address = LeaderAddress.TryBuild(template, holder, out var reason);

            Assert.True(address is null, $"{what}: {template} with {LeaderAddress.Quote(holder)} gave {address}");
            Assert.False(string.IsNullOrEmpty(reason));
        }
    }

    [Theory]
    [InlineData("replica-0")]
    [InlineData("roost-keeper-controller-2")]
    [InlineData("a")]
    [InlineData("0a")]
    public void A_pod_name_fills_the_label_and_nothing_else(string holder)
    {
        Assert.Equal(new Uri($"http://{holder}.replicas.test:8080/"), LeaderAddress.TryBuild(ServiceTemplate, holder, out var reason));
        Assert.Null(reason);
        Assert.Equal(new Uri($"https://{holder}:8443/"), LeaderAddress.TryBuild(BareTemplate, holder, out _));
        Assert.Equal(new Uri($"http://api.{holder}.svc/"), LeaderAddress.TryBuild("http://api.{leader}.svc", holder, out _));
    }

    [Fact]
    public void The_longest_label_is_accepted_and_one_more_character_is_not()
    {
        var longest = new string('a', 63);

        Assert.NotNull(LeaderAddress.TryBuild(ServiceTemplate, longest, out _));
        Assert.Null(LeaderAddress.TryBuild(ServiceTemplate, longest + "a", out _));
    }

    [Theory]
    [InlineData("2130706433")]
    [InlineData("0x7f000001")]
    [InlineData("0177")]
    [InlineData("127")]
    public void A_numeric_holder_that_the_URL_parser_would_read_as_an_IP_address_gets_no_address(string holder)
    {
        // A valid DNS label, but "https://2130706433:8443" is 127.0.0.1 to the URL parser: the host check catches it.
        Assert.Null(LeaderAddress.TryBuild(BareTemplate, holder, out var reason));
        Assert.Contains("host name", reason, StringComparison.Ordinal);

        // Under a domain the label is just a name in that domain.
        Assert.Equal(new Uri($"http://{holder}.replicas.test:8080/"), LeaderAddress.TryBuild(ServiceTemplate, holder, out _));
    }

    [Theory]
    [InlineData("http://x-{leader}.svc:8080", "whole label")]
    [InlineData("http://{leader}x.svc:8080", "whole label")]
    [InlineData("http://user@{leader}.svc:8080", "more than scheme, host and port")]
    [InlineData("http://{leader}@attacker.test", "more than scheme, host and port")]
    [InlineData("http://replica.svc/{leader}", "more than scheme, host and port")]
    [InlineData("http://replica.svc:8080/?to={leader}", "more than scheme, host and port")]
    [InlineData("http://{leader}.svc:8080/api", "more than scheme, host and port")]
    [InlineData("http://{leader}.{leader}.svc", "more than once")]
    [InlineData("ftp://{leader}.svc", "http or https")]
    [InlineData("http://replica.svc", "no placeholder")]
    [InlineData("{leader}.svc:8080", "http or https")]
    [InlineData("http://127.0.0.1:8080/{leader}", "more than scheme")]
    public void A_template_that_does_not_reserve_one_host_label_is_refused_at_mapping(string template, string reason)
    {
        var failure = LeaderAddress.Check(template);

        Assert.NotNull(failure);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
        Assert.Contains("HaApiOptions.LeaderUrlTemplate", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_escapes_control_and_non_ASCII_characters_and_shortens()
    {
        Assert.Equal("\"replica-0\\r\\nX: 1\"", LeaderAddress.Quote("replica-0\r\nX: 1"));
        Assert.DoesNotContain('\u0430', LeaderAddress.Quote("replic\u0430"));
        Assert.True(LeaderAddress.Quote(new string('a', 500)).Length < 100);
    }
}
