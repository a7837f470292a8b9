using System.Net;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Authorization;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>The review resources (SelfSubjectAccessReview and its kin): create only, answered and never stored.</summary>
internal sealed partial class ApiServer
{
    private async Task ServeReviewAsync(HttpContext context, ApiRequest request)
    {
        if (request.Verb != "create" || request.Subresource is not null)
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }

        var body = await ReadObjectAsync(context).ConfigureAwait(false);
        var review = AccessReviews.Answer(request.Type, request.Namespace, body, RequestAccess.IdentityOf(context), _access);
        await WriteAsync(context, HttpStatusCode.Created, review).ConfigureAwait(false);
    }
}
