using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Sample.Hosting;

/// <summary>
/// A shared bearer token for the mutating endpoints (POST /failover): generated per walk-through run and
/// printed with --keep-running, or given to a real replica in ROOSTKEEPER_SAMPLE_TOKEN. A stand-in for a real
/// identity provider (see docs/aspnetcore.md for JWT bearer); it is compared in constant time.
/// </summary>
internal sealed class OperatorToken
{
    public const string Scheme = "OperatorToken";
    public const string Policy = "roost-operators";
    public const string EnvironmentVariable = "ROOSTKEEPER_SAMPLE_TOKEN";

    private readonly byte[] _expected;

    public OperatorToken(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
        _expected = Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    public static OperatorToken Generate() => new(Base64Url(RandomNumberGenerator.GetBytes(24)));

    public bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Authenticates "Authorization: Bearer {token}" against the <see cref="OperatorToken"/>.</summary>
internal sealed class OperatorTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OperatorToken token)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!token.Matches(header["Bearer ".Length..].Trim()))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not the operator token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], OperatorToken.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), OperatorToken.Scheme)));
    }
}
