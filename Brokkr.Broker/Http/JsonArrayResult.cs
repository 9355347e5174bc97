using System.Buffers;

namespace Brokkr.Broker.Http;

/// <summary>
/// A 200 whose JSON array body is written from already serialised elements
/// (<see cref="Targeting.DeploymentObjectJson"/>): the same bytes <c>TypedResults.Ok(list)</c> writes with the API's
/// serializer options, which are compact.
/// </summary>
public sealed class JsonArrayResult(IReadOnlyList<byte[]> elements) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = 2 + Math.Max(0, elements.Count - 1) + elements.Sum(e => (long)e.Length);
        var body = response.BodyWriter;
        body.Write("["u8);
        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }
            body.Write(elements[i]);
        }
        body.Write("]"u8);
        await body.FlushAsync(httpContext.RequestAborted);
    }
}
