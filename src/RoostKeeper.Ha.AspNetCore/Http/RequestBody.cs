using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>
/// Reads an optional JSON body under a size limit, turning every way it can be wrong into a ProblemDetails
/// answer: 413 over the limit, 415 when not JSON, 400 naming the field (the JSON path) when malformed.
/// </summary>
internal static class RequestBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, long limit, JsonSerializerOptions json)
        where T : class
    {
        var (bytes, tooLarge) = await ReadBytesAsync(context, limit).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return (null, tooLarge);
        }

        if (bytes.Length == 0)
        {
            return (null, null);
        }

        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType));
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(bytes, json), null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path;
            return (null, Problems.BadRequest(field, $"The body is not a valid {Describe<T>()}: {FirstSentence(e.Message)}"));
        }
    }

    /// <summary>The raw body, at most <paramref name="limit"/> bytes; 413 beyond.</summary>
    public static async Task<(byte[] Bytes, IResult? Problem)> ReadBytesAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return ([], Problems.TooLarge(limit));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            return buffer.Length > limit ? ([], Problems.TooLarge(limit)) : (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ([], Problems.TooLarge(limit));
        }
    }

    private static string Describe<T>() => typeof(T).Name switch
    {
        var n when n.EndsWith("Request", StringComparison.Ordinal) => $"{n[..^"Request".Length].ToLowerInvariant()} request",
        var n => n,
    };

    // System.Text.Json appends "Path: … | LineNumber: …" to its messages; the path is given as the field already.
    private static string FirstSentence(string message) =>
        message.IndexOf(" Path: ", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;
}
