using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>
/// Opens a TLS connection and reads the server's certificate validity. The chain is not judged here (the
/// API server judges it against the configuration's caBundle); this probe answers "does the endpoint
/// speak TLS, and is its certificate in date".
/// </summary>
internal static class TlsCertificateProbe
{
    public static async Task<TlsProbeResult> ProbeAsync(string host, int port, CancellationToken cancellationToken)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            (DateTime NotBefore, DateTime NotAfter)? validity = null;
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, cert, _, _) =>
            {
                // Accept any chain: only the dates are judged (see the class comment). The certificate
                // instance belongs to the stream, so only its dates are kept.
                if (cert is X509Certificate2 c)
                {
                    validity = (c.NotBefore.ToUniversalTime(), c.NotAfter.ToUniversalTime());
                }

                return true;
            });
            await using (tls.ConfigureAwait(false))
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, cancellationToken).ConfigureAwait(false);
            }

            return validity is { } v
                ? new TlsProbeResult(new DateTimeOffset(v.NotBefore, TimeSpan.Zero), new DateTimeOffset(v.NotAfter, TimeSpan.Zero), null)
                : new TlsProbeResult(null, null, "the server sent no certificate");
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return new TlsProbeResult(null, null, e.Message);
        }
    }
}
