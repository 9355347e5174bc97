namespace Brokkr.KubernetesStandIn.Faults;

/// <summary>Applies <see cref="FaultInjector"/> rules and the bearer-token check before the API handlers run.</summary>
public static class FaultMiddleware
{
    public const string AdminPrefix = "/_standin";

    public static IApplicationBuilder UseStandInFaultsAndAuth(this IApplicationBuilder app, KubernetesStandIn standIn) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith(AdminPrefix, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            if (standIn.Faults.Take(context.Request.Method, path, context.Request.QueryString.Value ?? "") is { } fault)
            {
                if (fault.Hang > TimeSpan.Zero || fault.Pause is not null)
                {
                    try
                    {
                        await (fault.Pause?.HoldAsync(context.RequestAborted) ?? Task.Delay(fault.Hang, context.RequestAborted));
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                else
                {
                    var response = fault.Response();
                    if (fault.StatusCode == 429)
                    {
                        context.Response.Headers.RetryAfter = "1";
                    }

                    await response.ToResult().ExecuteAsync(context);
                    return;
                }
            }

            if (standIn.RequiredToken is { } token
                && context.Request.Headers.Authorization.ToString() != $"Bearer {token}")
            {
                await Api.StatusBodies.Failure(401, "Unauthorized", "Unauthorized").ToResult().ExecuteAsync(context);
                return;
            }

            await next(context);
        });
}
