using System.Net;
using k8s.Autorest;

namespace RoostKeeper.Ha.KubernetesApi;

/// <summary>
/// The one classification of Kubernetes API failures, used by the elector, the health checks, recovery, rolling
/// updates and the ASP.NET Core endpoints, and public so a controller built on this library classifies its own
/// API calls the same way: "transient" means the same thing everywhere, and each caller only decides what to do
/// about a kind, not which exceptions make it (KubernetesClient throws <see cref="HttpOperationException"/> for an
/// answer, <see cref="k8s.KubernetesException"/> for a watch's error event, and <see cref="HttpRequestException"/>,
/// <see cref="IOException"/> or a cancellation when no answer came).
/// </summary>
/// <example>
/// <code>
/// catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
/// {
///     // a conditional write lost: read again and retry
/// }
/// catch (Exception e) when (!cancellationToken.IsCancellationRequested &amp;&amp; KubernetesApiErrors.IsApiOrNetwork(e))
/// {
///     logger.LogWarning("Reconcile failed: {Problem}", KubernetesApiErrors.Describe(e));
/// }
/// </code>
/// </example>
public static class KubernetesApiErrors
{
    /// <summary>What <paramref name="error"/> means for a caller of the Kubernetes API.</summary>
    /// <param name="error">What a call through KubernetesClient's <c>IKubernetes</c> threw.</param>
    /// <returns>
    /// The kind; <see cref="ApiErrorKind.Unexpected"/> for anything that is neither an answer of the API server nor
    /// a network failure, including a failure of the backup store (see <see cref="Recovery.Stores.StoreFailures"/>).
    /// A cancellation is <see cref="ApiErrorKind.Transient"/> (a timed-out attempt): check your own token first.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static ApiErrorKind Classify(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            // A backup store's IOException or HttpRequestException is the store's, not the API's.
            _ when ForeignFailure.IsMarked(error) => ApiErrorKind.Unexpected,
            HttpOperationException http => Classify(http),
            k8s.KubernetesException { Status.Code: { } code } => ClassifyStatus(code, isMissingType: false),
            HttpRequestException or IOException or TimeoutException or OperationCanceledException => ApiErrorKind.Transient,
            _ => ApiErrorKind.Unexpected,
        };
    }

    /// <summary>Whether retrying the same call later may succeed (<see cref="ApiErrorKind.Transient"/>).</summary>
    /// <param name="error">What the call threw.</param>
    /// <returns>True for 429, 408, 5xx, a network failure, a timeout or a cancellation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static bool IsTransient(Exception error) => Classify(error) == ApiErrorKind.Transient;

    /// <summary>
    /// Whether <paramref name="error"/> came from the API server or the network (any kind but
    /// <see cref="ApiErrorKind.Unexpected"/>), so <see cref="Describe"/> says all there is to say, rather than a defect
    /// whose stack trace matters.
    /// </summary>
    /// <param name="error">What the call threw.</param>
    /// <returns>True for an answer of the server, a network failure, a timeout or a cancellation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static bool IsApiOrNetwork(Exception error) => Classify(error) != ApiErrorKind.Unexpected;

    /// <summary>The HTTP status the server answered with, or null when no answer arrived.</summary>
    /// <param name="error">What the call threw.</param>
    /// <returns>The status code of an <see cref="HttpOperationException"/> or of a watch's error event; else null.</returns>
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
    /// <param name="error">What the call threw.</param>
    /// <returns>For example <c>409 Conflict: Operation cannot be fulfilled on configmaps "roost-wren": the object has been modified</c>.</returns>
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
