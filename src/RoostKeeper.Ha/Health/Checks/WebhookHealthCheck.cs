using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>
/// A validating (or, when none has the name, mutating) webhook configuration: every webhook in it that
/// calls a Service must find that Service with a ready endpoint. With a handshake, each webhook's
/// endpoint (the Service's DNS name and port, or the configured URL) must also complete a TLS handshake
/// with a certificate that is valid now and for <c>minCertificateValidity</c> more (else Degraded).
/// </summary>
internal sealed class WebhookHealthCheck(IKubernetes client, string configuration, bool handshake, TimeSpan minCertificateValidity, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        var reads = KubernetesReads.For(client);
        var targets = await ReadTargetsAsync(reads, cancellationToken).ConfigureAwait(false);
        if (targets is null)
        {
            return new HealthCheckResult(failure, $"No validating or mutating webhook configuration named {configuration} exists.");
        }

        var data = new Dictionary<string, object> { ["webhooks"] = targets.Count };
        var problems = new List<string>();
        var warnings = new List<string>();
        foreach (var target in targets)
        {
            if (target.Service is { } service)
            {
                var endpoints = await ServiceEndpoints.ReadAsync(reads, service.NamespaceProperty, service.Name, cancellationToken).ConfigureAwait(false);
                if (endpoints is null)
                {
                    problems.Add($"{target.Webhook}: Service {service.NamespaceProperty}/{service.Name} does not exist");
                    continue;
                }

                if (endpoints.Ready == 0)
                {
                    problems.Add($"{target.Webhook}: Service {service.NamespaceProperty}/{service.Name} has no ready endpoints");
                    continue;
                }
            }

            if (handshake && target.Endpoint is { } endpoint)
            {
                var result = await TlsCertificateProbe.ProbeAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
                if (result.Error is { } error)
                {
                    problems.Add($"{target.Webhook}: TLS handshake with {endpoint.Host}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)} failed ({error})");
                    continue;
                }

                var now = time.GetUtcNow();
                var notAfter = result.NotAfter!.Value;
                data[$"{target.Webhook}.certificateNotAfter"] = notAfter.ToString("O", CultureInfo.InvariantCulture);
                if (now > notAfter)
                {
                    problems.Add($"{target.Webhook}: the certificate of {endpoint.Host} expired at {notAfter:O}");
                }
                else if (now < result.NotBefore)
                {
                    problems.Add($"{target.Webhook}: the certificate of {endpoint.Host} is not valid before {result.NotBefore:O}");
                }
                else if (notAfter - now < minCertificateValidity)
                {
                    warnings.Add($"{target.Webhook}: the certificate of {endpoint.Host} expires at {notAfter:O}, in less than {minCertificateValidity.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days");
                }
            }
        }

        if (problems.Count > 0)
        {
            return new HealthCheckResult(failure, $"Webhook configuration {configuration}: {string.Join("; ", problems.Concat(warnings))}.", data: data);
        }

        return warnings.Count > 0
            ? HealthCheckResult.Degraded($"Webhook configuration {configuration}: {string.Join("; ", warnings)}.", data: data)
            : HealthCheckResult.Healthy($"Webhook configuration {configuration}: {targets.Count.ToString(CultureInfo.InvariantCulture)} webhook(s) reachable{(handshake ? " with valid certificates" : "")}.", data);
    }

    private async Task<List<WebhookTarget>?> ReadTargetsAsync(KubernetesReads reads, CancellationToken cancellationToken)
    {
        var validating = reads.ReadValidatingWebhookConfigurationAsync(configuration, cancellationToken);
        var mutating = reads.ReadMutatingWebhookConfigurationAsync(configuration, cancellationToken);
        await Task.WhenAll(validating, mutating).ConfigureAwait(false);
        if (await validating.ConfigureAwait(false) is { } v)
        {
            return (v.Webhooks ?? []).Select(w => WebhookTarget.From(w.Name, w.ClientConfig)).ToList();
        }

        if (await mutating.ConfigureAwait(false) is { } m)
        {
            return (m.Webhooks ?? []).Select(w => WebhookTarget.From(w.Name, w.ClientConfig)).ToList();
        }

        return null;
    }

    private sealed record WebhookTarget(string Webhook, Admissionregistrationv1ServiceReference? Service, (string Host, int Port)? Endpoint)
    {
        public static WebhookTarget From(string webhook, Admissionregistrationv1WebhookClientConfig? config)
        {
            if (config?.Service is { } service)
            {
                // What the API server dials: <service>.<namespace>.svc on the Service port (443 by default).
                return new WebhookTarget(webhook, service, ($"{service.Name}.{service.NamespaceProperty}.svc", service.Port ?? 443));
            }

            return config?.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? new WebhookTarget(webhook, null, (uri.Host, uri.Port))
                : new WebhookTarget(webhook, null, null);
        }
    }
}
