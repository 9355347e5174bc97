var builder = WebApplication.CreateBuilder(args);

// Brokkr's broker listens on port 3000 unless ASPNETCORE_URLS or --urls say otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://0.0.0.0:3000");
}

builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
