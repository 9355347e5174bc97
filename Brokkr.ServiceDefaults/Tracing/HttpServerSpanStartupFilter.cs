using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Brokkr.ServiceDefaults.Tracing;

/// <summary>Puts <see cref="HttpServerSpanMiddleware"/> in front of the whole pipeline, routing included.</summary>
internal sealed class HttpServerSpanStartupFilter(IReadOnlySet<string> untracedPaths) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<HttpServerSpanMiddleware>(untracedPaths);
        next(app);
    };
}
