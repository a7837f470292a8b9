using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// The self-signed certificate of the cluster's HTTPS listener, for 127.0.0.1 and localhost. kubectl and the
/// Python client send a bearer token (and impersonation headers) only over TLS, so a kubeconfig with a token
/// points at the HTTPS address and trusts this certificate as its certificate authority.
/// </summary>
internal static class ServingCertificate
{
    public static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=roostha-simulated-apiserver", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }
}
