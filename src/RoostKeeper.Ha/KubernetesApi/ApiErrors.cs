using System.Net;
using k8s.Autorest;

namespace RoostKeeper.Ha.KubernetesApi;

/// <summary>
/// The one classification of Kubernetes API failures shared by the elector, health checks, recovery and
/// rollouts, so that "transient" means the same thing everywhere and each caller only decides what to do
/// about a kind, not which exceptions make it.
/// </summary>
internal static class ApiErrors
{
    /// <summary>What <paramref name="error"/> means for a caller of the Kubernetes API.</summary>
    public static ApiErrorKind Classify(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            // A backup store's IOException or HttpRequestException is the store's, not the API's.
            _ when Recovery.Stores.StoreFailures.IsFromStore(error) => ApiErrorKind.Unexpected,
            HttpOperationException http => Classify(http),
            k8s.KubernetesException { Status.Code: { } code } => ClassifyStatus(code, isMissingType: false),
            HttpRequestException or IOException or TimeoutException or OperationCanceledException => ApiErrorKind.Transient,
            _ => ApiErrorKind.Unexpected,
        };
    }

    /// <summary>Whether retrying the same call later may succeed.</summary>
    public static bool IsTransient(Exception error) => Classify(error) == ApiErrorKind.Transient;

    /// <summary>Whether <paramref name="error"/> came from the API or the network (described fully by <see cref="Describe"/>), rather than a defect.</summary>
    public static bool IsApiOrNetwork(Exception error) => Classify(error) != ApiErrorKind.Unexpected;

    /// <summary>The HTTP status the server answered with, or null when no answer arrived.</summary>
    public static int? StatusCode(Exception error) => error switch
    {
        HttpOperationException http => (int)http.Response.StatusCode,
        k8s.KubernetesException { Status.Code: { } code } => code,
        _ => null,
    };

    /// <summary>
    /// A one-line description for logs and error messages: the status and the server's message for an API
    /// answer, "timed out" for a cancelled attempt, the socket error for a network failure.
    /// </summary>
    public static string Describe(Exception error) => error switch
    {
        HttpOperationException http => $"{(int)http.Response.StatusCode} {http.Response.StatusCode}: {ServerMessage(http)}",
        k8s.KubernetesException { Status: { } status } => $"{status.Code} {status.Reason}: {status.Message}",
        OperationCanceledException => "timed out",
        HttpRequestException { InnerException: { } inner } => $"{error.Message} ({inner.Message})",
        _ => error.Message,
    };

    private static ApiErrorKind Classify(HttpOperationException http) =>
        ClassifyStatus((int)http.Response.StatusCode, IsMissingResourceType(http));

    private static ApiErrorKind ClassifyStatus(int code, bool isMissingType) => code switch
    {
        (int)HttpStatusCode.Conflict => ApiErrorKind.Conflict,
        (int)HttpStatusCode.NotFound => isMissingType ? ApiErrorKind.MissingResourceType : ApiErrorKind.NotFound,
        (int)HttpStatusCode.Gone => ApiErrorKind.Expired,
        (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden => ApiErrorKind.Unauthorized,
        (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.RequestTimeout or >= 500 => ApiErrorKind.Transient,
        _ => ApiErrorKind.Invalid,
    };

    /// <summary>
    /// A 404 for the resource type itself (e.g. no coordination.k8s.io, or a CRD not installed): the API server
    /// answers it with this fixed message and no object name, unlike a 404 for a missing object.
    /// </summary>
    private static bool IsMissingResourceType(HttpOperationException http) =>
        http.Response.StatusCode == HttpStatusCode.NotFound &&
        http.Response.Content?.Contains("the server could not find the requested resource", StringComparison.Ordinal) == true;

    /// <summary>The Status message in the body when there is one, else the raw body (trimmed for a log line).</summary>
    private static string ServerMessage(HttpOperationException http)
    {
        var content = http.Response.Content;
        if (string.IsNullOrEmpty(content))
        {
            return http.Response.ReasonPhrase ?? "(no body)";
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(content);
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                json.RootElement.TryGetProperty("message", out var message) &&
                message.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status body (a proxy's HTML page, say): show it as it came.
        }

        return content.Length > 300 ? string.Concat(content.AsSpan(0, 300), "…") : content;
    }
}
