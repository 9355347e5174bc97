var builder = WebApplication.CreateBuilder(args);

// The agent's health and metrics server listens on the health port (8080 by default).
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    var port = builder.Configuration["BROKKR:AGENT:HEALTH_PORT"] ?? "8080";
    builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
}

builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
