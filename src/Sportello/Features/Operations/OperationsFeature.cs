using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Sportello.Data;

namespace Sportello.Features.Operations;

public static class OperationsFeature
{
    private const string Ready = "ready";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        builder.Services.AddHealthChecks().AddDbContextCheck<SportelloDb>("database", tags: [Ready]);
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) });
        app.MapOpenApi();
        return app;
    }
}
